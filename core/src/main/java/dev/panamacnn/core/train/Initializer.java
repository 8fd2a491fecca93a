package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;

/**
 * Seeded parameter initialisation schemes, with PyTorch's fan computation ({@code fanIn =
 * dim(1)·receptive field}, {@code fanOut = dim(0)·receptive field}). {@link #apply} re-initialises
 * the weights (rank ≥ 2) of a model's parameters, each from the seed and its own name, so the
 * result does not depend on declaration order; biases and batch-norm γ/β keep their values
 * except with {@link #PYTORCH_DEFAULT}, which also draws biases as PyTorch's layers do.
 */
public enum Initializer {
    /** N(0, 2/fanIn): He et al. for ReLU networks ({@code kaiming_normal_}, fan-in, gain √2). */
    KAIMING_NORMAL,
    /** U(−b, b), b = √(6/fanIn) ({@code kaiming_uniform_}, fan-in, gain √2). */
    KAIMING_UNIFORM,
    /** N(0, 2/(fanIn + fanOut)): Glorot and Bengio ({@code xavier_normal_}). */
    XAVIER_NORMAL,
    /** U(−b, b), b = √(6/(fanIn + fanOut)) ({@code xavier_uniform_}). */
    XAVIER_UNIFORM,
    /**
     * What {@code nn.Conv2d}/{@code nn.Linear} do on construction: weights and biases U(−b, b)
     * with b = 1/√fanIn ({@code kaiming_uniform_(a=√5)}).
     */
    PYTORCH_DEFAULT;

    /** Fills {@code t} (rank ≥ 2) by this scheme from {@code seed}. */
    public void fill(Tensor t, long seed) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException(this + " needs a weight of rank >= 2 [out, in, ...], got " + t.shape());
        }
        long receptive = t.shape().sizeFrom(2);
        double fanIn = (double) t.dim(1) * receptive, fanOut = (double) t.dim(0) * receptive;
        switch (this) {
            case KAIMING_NORMAL -> t.fillNormal(seed, 0f, (float) Math.sqrt(2 / fanIn));
            case KAIMING_UNIFORM -> uniform(t, seed, Math.sqrt(6 / fanIn));
            case XAVIER_NORMAL -> t.fillNormal(seed, 0f, (float) Math.sqrt(2 / (fanIn + fanOut)));
            case XAVIER_UNIFORM -> uniform(t, seed, Math.sqrt(6 / (fanIn + fanOut)));
            case PYTORCH_DEFAULT -> uniform(t, seed, 1 / Math.sqrt(fanIn));
        }
    }

    /** Re-initialises every weight of {@code params} (and with {@link #PYTORCH_DEFAULT} each {@code *.bias} beside a weight). */
    public void apply(Variables params, long seed) {
        for (var e : params.asMap().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            long s = seed * 0x9E3779B97F4A7C15L + name.hashCode();
            if (t.rank() >= 2) {
                fill(t, s);
            } else if (this == PYTORCH_DEFAULT && name.endsWith("bias")) {
                String weight = name.substring(0, name.length() - "bias".length()) + "weight";
                if (params.contains(weight) && params.get(weight).rank() >= 2) {
                    Tensor w = params.get(weight);
                    uniform(t, s, 1 / Math.sqrt((double) w.shape().sizeFrom(1)));
                }
            }
        }
    }

    private static void uniform(Tensor t, long seed, double bound) {
        t.fillUniform(seed, (float) -bound, (float) bound);
    }
}
