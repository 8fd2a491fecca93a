package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.reference.MatMulRef;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * NumPy matmul of two workspace tensors ({@code matmul.cl}); a product with a constant right
 * operand is lowered to a dense layer (the GEMM kernel) instead.
 */
final class MatMulKernels {
    private MatMulKernels() {}

    static Kernel matmul(OpenClBackend b, Ops.MatMul op) {
        Shape expected = MatMulRef.outputShape(op.aShape(), op.bShape());
        LayoutKernels.checkOutput("matmul", expected, op.output());
        EltwiseKernels.elements(op.aShape());
        EltwiseKernels.elements(op.bShape());
        int total = EltwiseKernels.elements(expected);
        // 1-D operands are a row [1, K] and a column [K, 1]; the dropped axis does not move elements.
        Shape pa = op.aShape().rank() == 1 ? Shape.of(1, op.aShape().dim(0)) : op.aShape();
        Shape pb = op.bShape().rank() == 1 ? Shape.of(op.bShape().dim(0), 1) : op.bShape();
        int m = pa.dim(-2), k = pa.dim(-1), n = pb.dim(-1);
        Shape batchA = leading(pa), batchB = leading(pb), batch = Broadcast.shape(batchA, batchB);
        long[] sa = Broadcast.strides(batchA, batch), sb = Broadcast.strides(batchB, batch);
        for (int i = 0; i < sa.length; i++) {
            sa[i] *= (long) m * k;
            sb[i] *= (long) k * n;
        }
        Strided s = Strided.of(batch.dims(), sa, sb);
        MemorySegment program = b.program("matmul.cl", "");
        MemorySegment tab = b.upload(s.table());
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).offset(op.a().byteOffset())
                .offset(op.b().byteOffset()).offset(op.out().byteOffset()).arg(total).arg(s.rank())
                .arg(m).arg(k).arg(Math.max(1, n));
        return new ClKernel(b.cl, program, "matmul", grid[0], grid[1], args, List.of(tab));
    }

    private static Shape leading(Shape s) {
        int[] d = new int[s.rank() - 2];
        for (int i = 0; i < d.length; i++) d[i] = s.dim(i);
        return Shape.of(d);
    }
}
