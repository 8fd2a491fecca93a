package dev.panamacnn.core.plan;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.ops.SliceSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The default kernels of {@link Backend} for graph operators, computing what the reference
 * kernels compute (same operation order, so the same bits) straight on the context's workspace:
 * every stride, offset and index table is worked out at compile or bind time, so a run
 * allocates nothing. Concatenation and constants are plain memory copies of precomputed runs.
 */
final class HostKernels {
    private HostKernels() {}

    static Kernel binary(Ops.Binary op) {
        Shape out = op.output();
        Odometer walk = new Odometer(out.dims(), Broadcast.strides(op.aShape(), out), Broadcast.strides(op.bShape(), out));
        BinaryOp f = op.op();
        long a0 = op.a().elementOffset(), b0 = op.b().elementOffset(), y0 = op.out().elementOffset();
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            Odometer.Cursor c = walk.cursor();
            return () -> {
                c.reset(a0, b0);
                for (long i = 0; i < walk.size; i++, c.step()) {
                    ws.setAtIndex(FLOAT, y0 + i, f.apply(ws.getAtIndex(FLOAT, c.a), ws.getAtIndex(FLOAT, c.b)));
                }
            };
        };
    }

    /** One contiguous run per (input, outer index): the inputs' rows interleave in the output. */
    static Kernel concat(Ops.Concat op) {
        int axis = op.axis() < 0 ? op.axis() + op.output().rank() : op.axis();
        long outer = op.output().size() / Math.max(1, op.output().sizeFrom(axis));
        long outRow = op.output().sizeFrom(axis);
        int k = op.inputs().size();
        long[] rowBytes = new long[k], srcOff = new long[k], dstOff = new long[k];
        long at = 0;
        for (int i = 0; i < k; i++) {
            long row = op.inputs().get(i).sizeFrom(axis);
            rowBytes[i] = row * Float.BYTES;
            srcOff[i] = op.in().get(i).byteOffset();
            dstOff[i] = op.out().byteOffset() + at * Float.BYTES;
            at += row;
        }
        long outRowBytes = outRow * Float.BYTES;
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            return () -> {
                for (long o = 0; o < outer; o++) {
                    for (int i = 0; i < k; i++) {
                        MemorySegment.copy(ws, srcOff[i] + o * rowBytes[i], ws, dstOff[i] + o * outRowBytes, rowBytes[i]);
                    }
                }
            };
        };
    }

    static Kernel transpose(Ops.Transpose op) {
        long[] in = op.input().strides(), src = new long[op.perm().length];
        for (int k = 0; k < src.length; k++) src[k] = in[op.perm()[k]];
        return gather(new Odometer(op.output().dims(), src, op.output().strides()), op.in().elementOffset(), op.out().elementOffset());
    }

    static Kernel slice(Ops.Slice op) {
        SliceSpec.Resolved r = op.spec().resolve(op.input());
        long[] in = op.input().strides(), src = new long[in.length];
        long base = 0;
        for (int k = 0; k < in.length; k++) {
            src[k] = in[k] * r.step()[k];
            base += in[k] * r.start()[k];
        }
        return gather(new Odometer(op.output().dims(), src, op.output().strides()),
                op.in().elementOffset() + base, op.out().elementOffset());
    }

    /** Fills the output with the value, then copies the part of the input that lands inside it. */
    static Kernel pad(Ops.Pad op) {
        int r = op.input().rank();
        int[] pads = op.pads(), dims = new int[r];
        long[] in = op.input().strides(), out = op.output().strides();
        long src = op.in().elementOffset(), dst = op.out().elementOffset();
        boolean empty = false;
        for (int k = 0; k < r; k++) {
            int cropBegin = Math.max(0, -pads[k]), cropEnd = Math.max(0, -pads[r + k]);
            dims[k] = Math.max(0, op.input().dim(k) - cropBegin - cropEnd);
            empty |= dims[k] == 0;
            src += cropBegin * in[k];
            dst += Math.max(0, pads[k]) * out[k];
        }
        Odometer walk = new Odometer(dims, in, out);
        long outBytes = op.output().size() * Float.BYTES, outAt = op.out().byteOffset();
        float value = op.value();
        boolean copies = !empty;
        long src0 = src, dst0 = dst;
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            Odometer.Cursor c = walk.cursor();
            return () -> {
                for (long b = 0; b < outBytes; b += Float.BYTES) ws.set(ValueLayout.JAVA_FLOAT_UNALIGNED, outAt + b, value);
                if (!copies) return;
                c.reset(src0, dst0);
                for (long i = 0; i < walk.size; i++, c.step()) ws.setAtIndex(FLOAT, c.b, ws.getAtIndex(FLOAT, c.a));
            };
        };
    }

    /** Sums in double in input order into per-context accumulators, exactly as {@code ReduceRef.mean}. */
    static Kernel reduceMean(Ops.ReduceMean op) {
        Shape in = op.input();
        int r = in.rank();
        boolean[] reduced = new boolean[r];
        for (int a : op.axes()) reduced[a < 0 ? a + r : a] = true;
        long[] outStride = new long[r];
        long acc = 1;
        for (int k = r - 1; k >= 0; k--) {
            if (!reduced[k]) {
                outStride[k] = acc;
                acc *= in.dim(k);
            }
        }
        Odometer walk = new Odometer(in.dims(), in.strides(), outStride);
        int outSize = Math.toIntExact(op.output().size());
        long count = outSize == 0 ? 1 : in.size() / outSize;
        long x0 = op.in().elementOffset(), y0 = op.out().elementOffset();
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            Odometer.Cursor c = walk.cursor();
            double[] sums = new double[outSize];
            return () -> {
                java.util.Arrays.fill(sums, 0);
                c.reset(x0, 0);
                for (long i = 0; i < walk.size; i++, c.step()) sums[(int) c.b] += ws.getAtIndex(FLOAT, c.a);
                for (int j = 0; j < outSize; j++) ws.setAtIndex(FLOAT, y0 + j, (float) (sums[j] / count));
            };
        };
    }

    /** Batched matmul with broadcast batch axes, accumulating in double like {@code MatMulRef}. */
    static Kernel matmul(Ops.MatMul op) {
        Shape pa = op.aShape().rank() == 1 ? Shape.of(1, op.aShape().dim(0)) : op.aShape();
        Shape pb = op.bShape().rank() == 1 ? Shape.of(op.bShape().dim(0), 1) : op.bShape();
        Shape batchA = leading(pa), batchB = leading(pb), batch = Broadcast.shape(batchA, batchB);
        int m = pa.dim(-2), k = pa.dim(-1), n = pb.dim(-1);
        Odometer walk = new Odometer(batch.dims(), Broadcast.strides(batchA, batch), Broadcast.strides(batchB, batch));
        long a0 = op.a().elementOffset(), b0 = op.b().elementOffset(), y0 = op.out().elementOffset();
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            Odometer.Cursor c = walk.cursor();
            return () -> {
                c.reset(0, 0);
                for (long t = 0; t < walk.size; t++, c.step()) {
                    long aBase = a0 + c.a * m * k, bBase = b0 + c.b * k * n, yBase = y0 + t * m * n;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int p = 0; p < k; p++) {
                                sum += (double) ws.getAtIndex(FLOAT, aBase + (long) i * k + p)
                                        * ws.getAtIndex(FLOAT, bBase + (long) p * n + j);
                            }
                            ws.setAtIndex(FLOAT, yBase + (long) i * n + j, (float) sum);
                        }
                    }
                }
            };
        };
    }

    private static Shape leading(Shape s) {
        int[] d = new int[s.rank() - 2];
        for (int i = 0; i < d.length; i++) d[i] = s.dim(i);
        return Shape.of(d);
    }

    /** y[i] = x[walk's offset a] for the output in row-major order. */
    private static Kernel gather(Odometer walk, long src, long dst) {
        return ctx -> {
            MemorySegment ws = ctx.workspace();
            Odometer.Cursor c = walk.cursor();
            return () -> {
                c.reset(src, 0);
                for (long i = 0; i < walk.size; i++, c.step()) ws.setAtIndex(FLOAT, dst + i, ws.getAtIndex(FLOAT, c.a));
            };
        };
    }

    /** The value lives in the kernel's own memory and is copied into the workspace each run (the slot may be reused in between). */
    static Kernel constant(Ops.Constant op) {
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.value());
        long bytes = data.byteSize(), dst = op.out().byteOffset();
        return new Kernel() {
            @Override
            public Runnable bind(ExecutionContext ctx) {
                MemorySegment ws = ctx.workspace();
                return () -> MemorySegment.copy(data, 0, ws, dst, bytes);
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }
}
