package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.random.RandomGenerator;

/**
 * Reference inverted dropout. Training: each element is kept with probability 1 − p and scaled
 * by 1/(1 − p), so the expectation is unchanged; dropped elements become 0. Inference: identity
 * (callers simply skip the op). The RNG is explicit: the same seed gives the same mask.
 */
public final class DropoutRef {
    private DropoutRef() {}

    public static Tensor dropoutTraining(Tensor x, float p, RandomGenerator rng, Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        dropoutTraining(x, p, rng, out, null);
        return out;
    }

    /**
     * Writes the dropped-out {@code x} to {@code out}; when {@code mask} is non-null it receives
     * the per-element multiplier (0 or 1/(1 − p)) for the backward pass.
     */
    public static void dropoutTraining(Tensor x, float p, RandomGenerator rng, Tensor out,
                                       Tensor mask) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        }
        Checks.sameShape("dropout", x, out);
        if (mask != null) Checks.sameShape("dropout", x, mask);
        float scale = p == 1 ? 0f : 1f / (1f - p);
        MemorySegment xs = x.segment(), ys = out.segment();
        MemorySegment ms = mask == null ? null : mask.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            float m = rng.nextFloat() < p ? 0f : scale;
            ys.setAtIndex(FLOAT, i, xs.getAtIndex(FLOAT, i) * m);
            if (ms != null) ms.setAtIndex(FLOAT, i, m);
        }
    }
}
