package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.reference.ReduceRef;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Mean over a set of axes ({@code reduce.cl}). */
final class ReduceKernels {
    private ReduceKernels() {}

    static Kernel mean(OpenClBackend b, Ops.ReduceMean op) {
        Shape in = op.input(), expected = ReduceRef.meanShape(in, op.axes(), op.keepDims());
        LayoutKernels.checkOutput("reduceMean", expected, op.output());
        EltwiseKernels.elements(in);
        int total = EltwiseKernels.elements(expected);
        boolean[] reduced = new boolean[in.rank()];
        for (int a : ReduceRef.axes(in, op.axes())) reduced[a] = true;
        // Kept and reduced axes, each in input order with neighbours of the same kind merged.
        List<int[]> kept = new ArrayList<>(), red = new ArrayList<>();
        long[] strides = in.strides();
        Boolean last = null;
        for (int k = 0; k < in.rank(); k++) {
            if (in.dim(k) == 1) continue;
            List<int[]> to = reduced[k] ? red : kept;
            if (last != null && last == reduced[k]) {
                to.getLast()[0] *= in.dim(k);
                to.getLast()[1] = (int) strides[k];
            } else {
                to.add(new int[] {in.dim(k), (int) strides[k]});
            }
            last = reduced[k];
        }
        int kr = kept.size(), rr = red.size();
        int[] table = new int[2 * (kr + rr)];
        for (int k = 0; k < kr; k++) {
            table[k] = kept.get(k)[0];
            table[kr + k] = kept.get(k)[1];
        }
        for (int k = 0; k < rr; k++) {
            table[2 * kr + k] = red.get(k)[0];
            table[2 * kr + rr + k] = red.get(k)[1];
        }
        int count = total == 0 ? 1 : (int) (in.size() / total);
        MemorySegment program = b.program("reduce.cl", "");
        MemorySegment tab = b.upload(table);
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> l.arg(ws.buffer).arg(tab).offset(op.in().byteOffset())
                .offset(op.out().byteOffset()).arg(total).arg(kr).arg(rr).arg(count);
        return new ClKernel(b.cl, program, "reduce_mean", grid[0], grid[1], args, List.of(tab));
    }
}
