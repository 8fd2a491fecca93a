package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.BinaryRef;
import dev.panamacnn.core.reference.LayoutRef;
import dev.panamacnn.core.reference.MatMulRef;
import dev.panamacnn.core.reference.ReduceRef;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The default kernels of {@link Backend} for graph operators: the reference kernels on tensor
 * views of the context's workspace, made once per context at bind time. Concatenation and
 * constants are plain memory copies of precomputed runs.
 */
final class HostKernels {
    private HostKernels() {}

    private static Tensor view(ExecutionContext ctx, BufferRef ref, Shape shape) {
        return ReferenceBackend.view(ctx, ref, shape);
    }

    static Kernel binary(Ops.Binary op) {
        return ctx -> {
            Tensor a = view(ctx, op.a(), op.aShape()), b = view(ctx, op.b(), op.bShape()), y = view(ctx, op.out(), op.output());
            return () -> BinaryRef.apply(op.op(), a, b, y);
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
        return ctx -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), op.output());
            return () -> LayoutRef.transpose(x, op.perm(), y);
        };
    }

    static Kernel pad(Ops.Pad op) {
        return ctx -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), op.output());
            return () -> LayoutRef.pad(x, op.pads(), op.value(), y);
        };
    }

    static Kernel slice(Ops.Slice op) {
        return ctx -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), op.output());
            return () -> LayoutRef.slice(x, op.spec(), y);
        };
    }

    static Kernel reduceMean(Ops.ReduceMean op) {
        return ctx -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), op.output());
            return () -> ReduceRef.mean(x, op.axes(), op.keepDims(), y);
        };
    }

    static Kernel matmul(Ops.MatMul op) {
        return ctx -> {
            Tensor a = view(ctx, op.a(), op.aShape()), b = view(ctx, op.b(), op.bShape()), y = view(ctx, op.out(), op.output());
            return () -> MatMulRef.matmul(a, b, y);
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
