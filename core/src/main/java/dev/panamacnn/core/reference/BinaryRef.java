package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Broadcast;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference element-wise arithmetic with broadcasting ({@link Broadcast}):
 * {@code y[i] = op(a[i'], b[i''])} where i' and i'' are i with every axis along which the
 * operand has size 1 set to 0. One float operation per element ({@link BinaryOp#apply}).
 */
public final class BinaryRef {
    private BinaryRef() {}

    public static Tensor apply(BinaryOp op, Tensor a, Tensor b, Arena arena) {
        Tensor out = Tensor.allocate(arena, Broadcast.shape(a.shape(), b.shape()));
        apply(op, a, b, out);
        return out;
    }

    public static void apply(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Shape s = Broadcast.shape(a.shape(), b.shape());
        Checks.shape(op.title(), "output", out, s);
        long[] sa = Broadcast.strides(a.shape(), s), sb = Broadcast.strides(b.shape(), s);
        int[] dims = s.dims();
        int[] idx = new int[dims.length];
        MemorySegment as = a.segment(), bs = b.segment(), ys = out.segment();
        long ia = 0, ib = 0;
        for (long i = 0, n = s.size(); i < n; i++) {
            ys.setAtIndex(FLOAT, i, op.apply(as.getAtIndex(FLOAT, ia), bs.getAtIndex(FLOAT, ib)));
            // Odometer step over the output index, moving both operand offsets with it.
            for (int k = dims.length - 1; k >= 0; k--) {
                ia += sa[k];
                ib += sb[k];
                if (++idx[k] < dims[k]) break;
                ia -= sa[k] * dims[k];
                ib -= sb[k] * dims[k];
                idx[k] = 0;
            }
        }
    }
}
