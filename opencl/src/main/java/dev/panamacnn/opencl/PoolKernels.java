package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import java.util.List;

/** Max/average pooling and global pooling ({@code pool.cl}). */
final class PoolKernels {
    private PoolKernels() {}

    static Kernel pool(OpenClBackend b, Ops.Pool op) {
        Pool2dSpec s = op.spec();
        Shape in = op.input(), expected = s.outputShape(in);
        if (!expected.equals(op.output())) {
            throw new IllegalArgumentException("pool output shape expected " + expected + ", got " + op.output());
        }
        int total = EltwiseKernels.elements(expected);
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).offset(op.in().byteOffset()).offset(op.out().byteOffset())
                .arg(total).arg(in.dim(2)).arg(in.dim(3)).arg(expected.dim(2)).arg(expected.dim(3))
                .arg(s.kernelH()).arg(s.kernelW()).arg(s.strideH()).arg(s.strideW())
                .arg(s.padTop()).arg(s.padLeft()).arg(s.padBottom()).arg(s.padRight())
                .arg(op.max() ? 1 : 0).arg(s.countIncludePad() ? 1 : 0);
        return new ClKernel(b.cl, b.program("pool.cl", ""), "pool2d", grid[0], grid[1], args, List.of());
    }

    static Kernel global(OpenClBackend b, Ops.GlobalPool op) {
        Shape in = op.input();
        if (in.rank() != 4 || in.dim(2) == 0 || in.dim(3) == 0) {
            throw new IllegalArgumentException("global pool needs a non-empty [N, C, H, W] input, got " + in);
        }
        int planes = in.dim(0) * in.dim(1), hw = in.dim(2) * in.dim(3);
        long[][] grid = ClKernel.grid1d(planes, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).offset(op.in().byteOffset()).offset(op.out().byteOffset())
                .arg(planes).arg(hw).arg(op.max() ? 1 : 0);
        return new ClKernel(b.cl, b.program("pool.cl", ""), "global_pool", grid[0], grid[1], args, List.of());
    }
}
