package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.DepthwiseConvKernels;
import dev.panamacnn.simd.kernels.EltwiseKernels;
import dev.panamacnn.simd.kernels.NormKernels;
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
                    default -> EltwiseKernels.clamp(ws, xOff, ws, yOff, act.min(), act.max(), a, b);
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

    private static int blocks(long n) {
        return Math.toIntExact((n + BLOCK - 1) / BLOCK);
    }
}
