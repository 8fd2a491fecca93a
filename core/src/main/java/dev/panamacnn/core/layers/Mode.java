package dev.panamacnn.core.layers;

/**
 * Training or inference, passed explicitly with every forward pass.
 *
 * <p>In training, batch-norm normalises with mini-batch statistics and updates its running
 * estimates, and dropout drops activations using a generator seeded from {@link #seed()}: the
 * same seed gives the same masks. In inference, batch-norm uses the running estimates and
 * dropout is the identity.
 */
public record Mode(boolean training, long seed) {
    public static final Mode INFERENCE = new Mode(false, 0);

    public static Mode training(long seed) {
        return new Mode(true, seed);
    }

    @Override
    public String toString() {
        return training ? "training(seed " + seed + ")" : "inference";
    }
}
