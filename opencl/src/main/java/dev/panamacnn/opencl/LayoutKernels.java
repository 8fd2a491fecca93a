package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.core.plan.BufferRef;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.reference.LayoutRef;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Transpose, slice, pad and concat ({@code layout.cl}): exact copies inside the device workspace.
 * Transpose and slice are one strided gather; every index table is built and uploaded here.
 */
final class LayoutKernels {
    private LayoutKernels() {}

    static Kernel transpose(OpenClBackend b, Ops.Transpose op) {
        Shape in = op.input(), expected = LayoutRef.transposeShape(in, op.perm());
        checkOutput("transpose", expected, op.output());
        long[] own = in.strides(), src = new long[op.perm().length];
        for (int k = 0; k < src.length; k++) src[k] = own[op.perm()[k]];
        return gather(b, Strided.of(expected.dims(), src), 0, op.in(), op.out(), EltwiseKernels.elements(expected));
    }

    static Kernel slice(OpenClBackend b, Ops.Slice op) {
        Shape in = op.input();
        SliceSpec.Resolved r = op.spec().resolve(in);
        checkOutput("slice", r.output(), op.output());
        long[] own = in.strides(), src = new long[own.length];
        long base = 0;
        for (int k = 0; k < own.length; k++) {
            src[k] = own[k] * r.step()[k];
            base += own[k] * r.start()[k];
        }
        int total = EltwiseKernels.elements(r.output());
        // An empty slice reads nothing; its start may lie past the input.
        return gather(b, Strided.of(r.output().dims(), src), total == 0 ? 0 : base, op.in(), op.out(), total);
    }

    private static Kernel gather(OpenClBackend b, Strided s, long base, BufferRef in, BufferRef out, int total) {
        int xOff = Math.toIntExact(in.byteOffset() / Float.BYTES + base);
        MemorySegment program = b.program("layout.cl", "");
        MemorySegment tab = b.upload(s.table());
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).arg(xOff).offset(out.byteOffset())
                .arg(total).arg(s.rank());
        return new ClKernel(b.cl, program, "gather", grid[0], grid[1], args, List.of(tab));
    }

    static Kernel pad(OpenClBackend b, Ops.Pad op) {
        Shape in = op.input(), expected = LayoutRef.padShape(in, op.pads());
        checkOutput("pad", expected, op.output());
        int r = in.rank(), total = EltwiseKernels.elements(expected);
        EltwiseKernels.elements(in);
        long[] strides = in.strides();
        int[] table = new int[4 * r];
        for (int k = 0; k < r; k++) {
            table[k] = expected.dim(k);
            table[r + k] = op.pads()[k];
            table[2 * r + k] = in.dim(k);
            table[3 * r + k] = (int) strides[k];
        }
        MemorySegment program = b.program("layout.cl", "");
        MemorySegment tab = b.upload(table);
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).offset(op.in().byteOffset())
                .offset(op.out().byteOffset()).arg(total).arg(r).arg(op.value());
        return new ClKernel(b.cl, program, "pad", grid[0], grid[1], args, List.of(tab));
    }

    static Kernel concat(OpenClBackend b, Ops.Concat op) {
        Shape expected = LayoutRef.concatShape(op.inputs(), op.axis());
        checkOutput("concat", expected, op.output());
        int k = op.inputs().size();
        if (op.in().size() != k) {
            throw new IllegalArgumentException("concat has " + k + " input shapes but " + op.in().size() + " input buffers");
        }
        int axis = op.axis() < 0 ? op.axis() + expected.rank() : op.axis();
        int total = EltwiseKernels.elements(expected), outRow = (int) expected.sizeFrom(axis);
        // Row starts within an output row, then each input's element offset in the workspace.
        int[] table = new int[2 * k + 1];
        for (int i = 0; i < k; i++) {
            table[i + 1] = table[i] + (int) op.inputs().get(i).sizeFrom(axis);
            table[k + 1 + i] = Math.toIntExact(op.in().get(i).byteOffset() / Float.BYTES);
        }
        MemorySegment program = b.program("layout.cl", "");
        MemorySegment tab = b.upload(table);
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).offset(op.out().byteOffset())
                .arg(total).arg(Math.max(1, outRow)).arg(k);
        return new ClKernel(b.cl, program, "concat", grid[0], grid[1], args, List.of(tab));
    }

    static void checkOutput(String op, Shape expected, Shape actual) {
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(op + " output shape expected " + expected + ", got " + actual);
        }
    }
}
