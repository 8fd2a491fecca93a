package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.DepthwiseConvKernels;
import dev.panamacnn.simd.kernels.EltwiseKernels;
import dev.panamacnn.simd.kernels.NormKernels;
import dev.panamacnn.simd.kernels.BlockedPooling;
import dev.panamacnn.simd.kernels.PoolKernels;
import dev.panamacnn.simd.kernels.SoftmaxKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The plan kernels that map one-to-one onto a range-splittable Vector API kernel of
 * {@link dev.panamacnn.simd.kernels}: each splits its planes, rows or elements across the pool.
 */
final class RangeKernels {
    private RangeKernels() {}

    /** Elements per unit for flat element-wise ops: units are blocks of this many floats. */
    private static final int BLOCK = 4096;

    static Kernel pool(Ops.Pool op) {
        if (op.layout() == ChannelLayout.BLOCKED) return blockedPool(op);
        Shape in = op.input(), out = op.output();
        int planes = in.dim(0) * in.dim(1), h = in.dim(2), w = in.dim(3);
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        long work = (long) out.dim(2) * out.dim(3) * op.spec().kernelH() * op.spec().kernelW();
        return new RangeKernel(planes, work) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                if (op.max()) PoolKernels.maxPool2d(ws, xOff, ws, yOff, h, w, op.spec(), from, to);
                else PoolKernels.avgPool2d(ws, xOff, ws, yOff, h, w, op.spec(), from, to);
            }
        };
    }

    /**
     * Pooling of blocked tensors: one unit per output row of a 16-channel block of an image,
     * rows outer, so that a thread's share is a band of rows, as the convolutions' are.
     */
    private static Kernel blockedPool(Ops.Pool op) {
        Shape in = op.input(), out = op.output();
        int block = BlockedConvKernel.BLOCK, h = in.dim(2), w = in.dim(3), oh = out.dim(2), ow = out.dim(3);
        int planes = in.dim(0) * ChannelLayout.paddedChannels(in.dim(1), block) / block;
        int halo = op.outHalo(), owp = ow + 2 * halo;
        long pixel = (long) block * Float.BYTES, outRowBytes = owp * pixel;
        long inPlane = (long) h * w * pixel, outPlane = (oh + 2L * halo) * outRowBytes;
        long x = op.in().byteOffset(), y = op.out().byteOffset();
        int batch = in.dim(0), blocks = planes / batch;
        return new RangeKernel(planes * oh, (long) ow * block * op.spec().kernelH() * op.spec().kernelW()) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                for (int u = from; u < to; u++) {
                    int image = u / (oh * blocks), row = u / blocks % oh, plane = image * blocks + u % blocks;
                    long outPlaneAt = y + plane * outPlane, outRow = outPlaneAt + (row + halo) * outRowBytes + halo * pixel;
                    BlockedPooling.row(ws, x + plane * inPlane, outRow, h, w, ow, op.spec(), row, op.max());
                    if (halo > 0) HaloBorder.zeroRowShare(ws, outPlaneAt, row, oh, ow, halo);
                }
            }
        };
    }

    /** Whether a blocked pooling can write {@code op}'s output inside a zero border (of any width: its offsets are long). */
    static boolean blockedPoolWritesHalo(Ops.Pool op) {
        return op.layout() == ChannelLayout.BLOCKED && op.output().rank() == 4;
    }

    /**
     * Global pooling of a blocked input: one unit per 16-channel block of an image. An average
     * over an input with a halo sums its whole stored plane (the border adds zeros).
     */
    static Kernel blockedGlobalPool(Ops.GlobalPool op) {
        Shape in = op.input();
        int halo = op.inHalo();
        if (halo > 0 && op.max()) throw new IllegalArgumentException("a global maximum cannot read an input with a halo");
        int channels = in.dim(1), pixels = in.dim(2) * in.dim(3), block = BlockedConvKernel.BLOCK;
        int stored = (in.dim(2) + 2 * halo) * (in.dim(3) + 2 * halo);
        int planes = in.dim(0) * ((channels + block - 1) / block);
        long x = op.in().byteOffset(), y = op.out().byteOffset();
        return new RangeKernel(planes, (long) pixels * block) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                BlockedPooling.global(ctx.workspace(), x, y, channels, pixels, stored, op.max(), from, to);
            }
        };
    }

    static Kernel globalPool(Ops.GlobalPool op) {
        Shape in = op.input();
        int planes = in.dim(0) * in.dim(1), plane = in.dim(2) * in.dim(3);
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        return new RangeKernel(planes, plane) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                if (op.max()) PoolKernels.globalMaxPool(ws, xOff, ws, yOff, plane, from, to);
                else PoolKernels.globalAvgPool(ws, xOff, ws, yOff, plane, from, to);
            }
        };
    }

    static Kernel affine(Ops.Affine op) {
        Shape s = op.shape();
        int channels = s.dim(1), inner = (int) s.sizeFrom(2);
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        Arena arena = Arena.ofShared();
        MemorySegment scale = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.scale());
        MemorySegment shift = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.shift());
        float lo = op.activation().min(), hi = op.activation().max();
        return new RangeKernel(s.dim(0) * channels, inner) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                NormKernels.affine(ws, xOff, scale, 0, shift, 0, ws, yOff, channels, inner, lo, hi, from, to);
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }

    static Kernel add(Ops.Add op) {
        long n = op.shape().size();
        long aOff = op.a().elementOffset(), bOff = op.b().elementOffset(), yOff = op.out().elementOffset();
        float lo = op.activation().min(), hi = op.activation().max();
        return new RangeKernel(blocks(n), BLOCK) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                EltwiseKernels.addClamp(ws, aOff, ws, bOff, ws, yOff, lo, hi, (long) from * BLOCK,
                        Math.min(n, (long) to * BLOCK));
            }
        };
    }

    static Kernel activation(Ops.Act op) {
        long n = op.shape().size();
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        var act = op.activation();
        return new RangeKernel(blocks(n), BLOCK) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                long a = (long) from * BLOCK, b = Math.min(n, (long) to * BLOCK);
                switch (act.kind()) {
                    case SIGMOID -> EltwiseKernels.sigmoid(ws, xOff, ws, yOff, a, b);
                    case TANH -> EltwiseKernels.tanh(ws, xOff, ws, yOff, a, b);
                    case HARD_SIGMOID -> EltwiseKernels.hardSigmoid(ws, xOff, ws, yOff, act.alpha(), act.beta(), false, a, b);
                    case HARD_SWISH -> EltwiseKernels.hardSigmoid(ws, xOff, ws, yOff, act.alpha(), act.beta(), true, a, b);
                    case IDENTITY, RELU, CLIP -> EltwiseKernels.clamp(ws, xOff, ws, yOff, act.min(), act.max(), a, b);
                }
            }
        };
    }

    /** Softmax over the last axis; other axes are rare and fall back to the reference. */
    static Kernel softmax(Ops.Softmax op) {
        Shape s = op.shape();
        int len = s.dim(-1), rows = (int) (s.size() / Math.max(1, len));
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        return new RangeKernel(rows, len) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                SoftmaxKernels.softmax(ws, xOff, ws, yOff, len, from, to);
            }
        };
    }

    /** Depthwise convolution (groups = in = out channels), with fused bias and clamp. */
    static Kernel depthwise(Ops.Conv op) {
        Shape in = op.input(), out = op.output();
        int channels = in.dim(1), h = in.dim(2), w = in.dim(3);
        long xOff = op.in().elementOffset(), yOff = op.out().elementOffset();
        Arena arena = Arena.ofShared();
        MemorySegment weight = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.weight());
        MemorySegment bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.bias());
        float lo = op.activation().min(), hi = op.activation().max();
        long work = (long) out.dim(2) * out.dim(3) * op.spec().kernelH() * op.spec().kernelW();
        return new RangeKernel(in.dim(0) * channels, work) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                DepthwiseConvKernels.depthwiseConv2d(ws, xOff, weight, 0, bias, 0, ws, yOff, channels, h, w,
                        op.spec(), lo, hi, from, to);
            }

            @Override
            public void close() {
                arena.close();
            }
        };
    }

    /**
     * Broadcast arithmetic as rows: the longest run of trailing axes over which each operand is
     * either contiguous or one repeated value (e.g. [N, C, H, W] × [1, C, 1, 1]: rows of H·W, the
     * scale a scalar per row) goes to the vector kernel; row offsets are computed here once.
     */
    static Kernel binary(Ops.Binary op) {
        Shape out = op.output();
        int rank = out.rank();
        long[] sa = Broadcast.strides(op.aShape(), out), sb = Broadcast.strides(op.bShape(), out), so = out.strides();
        int k = rank;
        int modeA = 0, modeB = 0; // 0 undecided, 1 contiguous, 2 repeated
        while (k > 0) {
            int j = k - 1;
            if (out.dim(j) == 1) {
                k--;
                continue;
            }
            int ma = sa[j] == 0 ? 2 : sa[j] == so[j] ? 1 : -1, mb = sb[j] == 0 ? 2 : sb[j] == so[j] ? 1 : -1;
            if (ma < 0 || mb < 0 || (modeA != 0 && ma != modeA) || (modeB != 0 && mb != modeB) || (ma == 2 && mb == 2)) break;
            modeA = ma;
            modeB = mb;
            k--;
        }
        long inner = 1;
        for (int j = k; j < rank; j++) inner *= out.dim(j);
        int rows = Math.toIntExact(out.size() / Math.max(1, inner));
        long[] aRow = new long[rows], bRow = new long[rows];
        int[] idx = new int[k];
        for (int r = 0; r < rows; r++) {
            long oa = 0, ob = 0;
            for (int j = 0; j < k; j++) {
                oa += idx[j] * sa[j];
                ob += idx[j] * sb[j];
            }
            aRow[r] = op.a().elementOffset() + oa;
            bRow[r] = op.b().elementOffset() + ob;
            for (int j = k - 1; j >= 0 && ++idx[j] == out.dim(j); j--) idx[j] = 0;
        }
        boolean aScalar = modeA == 2, bScalar = modeB == 2;
        int code = switch (op.op()) {
            case ADD -> EltwiseKernels.ADD;
            case SUB -> EltwiseKernels.SUB;
            case MUL -> EltwiseKernels.MUL;
            case DIV -> EltwiseKernels.DIV;
        };
        long yOff = op.out().elementOffset(), n = inner;
        return new RangeKernel(rows, inner) {
            @Override
            void compute(ExecutionContext ctx, int from, int to, int worker) {
                MemorySegment ws = ctx.workspace();
                for (int r = from; r < to; r++) {
                    EltwiseKernels.binary(code, ws, aRow[r], aScalar, ws, bRow[r], bScalar, ws, yOff + r * n, n);
                }
            }
        };
    }

    private static int blocks(long n) {
        return Math.toIntExact((n + BLOCK - 1) / BLOCK);
    }
}
