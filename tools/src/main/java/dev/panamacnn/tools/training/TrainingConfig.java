package dev.panamacnn.tools.training;

import dev.panamacnn.core.data.MnistDataset.Normalization;
import java.util.Objects;

/**
 * Everything that decides a {@code train-mnist} run: with the same values (and thread count) the
 * run is reproducible bit for bit. {@code trainLimit} trains on the first that many training
 * digits only (0: all of them), for quick runs and tests; the held-out set is always complete.
 */
public record TrainingConfig(MnistModel model, OptimizerChoice optimizer, double learningRate, int epochs,
        int batch, int threads, long seed, int trainLimit, Normalization normalization) {

    public TrainingConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(normalization, "normalization");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (trainLimit < 0) throw new IllegalArgumentException("training limit must be >= 0, got " + trainLimit);
    }
}
