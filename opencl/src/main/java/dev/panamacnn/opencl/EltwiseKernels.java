package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Element-wise add, broadcast arithmetic and activations ({@code eltwise.cl}), per-channel affine
 * and softmax ({@code norm.cl}).
 */
final class EltwiseKernels {
    private EltwiseKernels() {}

    static int elements(Shape s) {
        if (s.size() > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor " + s + " exceeds the kernels' 32-bit indexing");
        return (int) s.size();
    }

    static Kernel add(OpenClBackend b, Ops.Add op) {
        int total = elements(op.shape());
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> Act.args(l.arg(ws.buffer).offset(op.a().byteOffset()).offset(op.b().byteOffset())
                .offset(op.out().byteOffset()).arg(total), op.activation());
        return new ClKernel(b.cl, b.program("eltwise.cl", ""), "add_act", grid[0], grid[1], args, List.of());
    }

    /** a op b with NumPy broadcasting; the op code is the {@link dev.panamacnn.core.ops.BinaryOp} ordinal. */
    static Kernel binary(OpenClBackend b, Ops.Binary op) {
        Shape expected = Broadcast.shape(op.aShape(), op.bShape());
        LayoutKernels.checkOutput(op.op().title(), expected, op.output());
        elements(op.aShape());
        elements(op.bShape());
        int total = elements(expected);
        Strided s = Strided.of(expected.dims(), Broadcast.strides(op.aShape(), expected),
                Broadcast.strides(op.bShape(), expected));
        MemorySegment program = b.program("eltwise.cl", "");
        MemorySegment tab = b.upload(s.table());
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).offset(op.a().byteOffset())
                .offset(op.b().byteOffset()).offset(op.out().byteOffset()).arg(total).arg(s.rank())
                .arg(op.op().ordinal());
        return new ClKernel(b.cl, program, "binary", grid[0], grid[1], args, List.of(tab));
    }

    static Kernel activation(OpenClBackend b, Ops.Act op) {
        int total = elements(op.shape());
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> Act.args(l.arg(ws.buffer).offset(op.in().byteOffset())
                .offset(op.out().byteOffset()).arg(total), op.activation());
        return new ClKernel(b.cl, b.program("eltwise.cl", ""), "act", grid[0], grid[1], args, List.of());
    }

    static Kernel affine(OpenClBackend b, Ops.Affine op) {
        Shape s = op.shape();
        if (s.rank() < 2) throw new IllegalArgumentException("affine needs channels on axis 1, got " + s);
        int c = s.dim(1);
        if (op.scale().length != c || op.shift().length != c) {
            throw new IllegalArgumentException("affine expected " + c + " scales and shifts, got "
                    + op.scale().length + " and " + op.shift().length);
        }
        int total = elements(s), inner = (int) s.sizeFrom(2);
        float[] params = new float[2 * c];
        System.arraycopy(op.scale(), 0, params, 0, c);
        System.arraycopy(op.shift(), 0, params, c, c);
        MemorySegment program = b.program("norm.cl", "");
        MemorySegment pBuf = b.upload(params);
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> Act.args(l.arg(ws.buffer).arg(pBuf).offset(op.in().byteOffset())
                .offset(op.out().byteOffset()).arg(total).arg(c).arg(Math.max(1, inner)), op.activation());
        return new ClKernel(b.cl, program, "affine", grid[0], grid[1], args, List.of(pBuf));
    }

    static Kernel softmax(OpenClBackend b, Ops.Softmax op) {
        Shape s = op.shape();
        int axis = op.axis() < 0 ? s.rank() + op.axis() : op.axis();
        if (axis < 0 || axis >= s.rank()) throw new IllegalArgumentException("softmax axis " + op.axis() + " out of range for " + s);
        int total = elements(s), len = s.dim(axis), inner = (int) s.sizeFrom(axis + 1);
        int lines = len == 0 ? 0 : total / len;
        long[][] grid = ClKernel.grid1d(lines, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).offset(op.in().byteOffset()).offset(op.out().byteOffset())
                .arg(lines).arg(len).arg(inner);
        return new ClKernel(b.cl, b.program("norm.cl", ""), "softmax", grid[0], grid[1], args, List.of());
    }
}
