package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference softmax along one axis, numerically stable:
 * {@code y_i = exp(x_i − max_j x_j) / Σ_k exp(x_k − max_j x_j)}. Subtracting the maximum keeps
 * every exponent ≤ 0, so large logits never overflow.
 */
public final class SoftmaxRef {
    private SoftmaxRef() {}

    /** Softmax along {@code axis} (negative counts from the end; classifiers use 1 or -1). */
    public static Tensor softmax(Tensor x, int axis, Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        softmax(x, axis, out);
        return out;
    }

    public static void softmax(Tensor x, int axis, Tensor out) {
        Checks.sameShape("softmax", x, out);
        int a = axis < 0 ? x.rank() + axis : axis;
        if (a < 0 || a >= x.rank()) {
            throw new IllegalArgumentException("softmax: axis " + axis + " out of range for "
                    + x.shape());
        }
        int len = x.dim(a);
        long inner = x.shape().sizeFrom(a + 1);
        long outer = x.size() / Math.max(1, (long) len * inner);
        MemorySegment xs = x.segment(), ys = out.segment();
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = o * len * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) max = Math.max(max, xs.getAtIndex(FLOAT, base + k * inner));
                double sum = 0;
                for (int k = 0; k < len; k++) sum += Math.exp(xs.getAtIndex(FLOAT, base + k * inner) - max);
                for (int k = 0; k < len; k++) {
                    ys.setAtIndex(FLOAT, base + k * inner,
                            (float) (Math.exp(xs.getAtIndex(FLOAT, base + k * inner) - max) / sum));
                }
            }
        }
    }
}
