package dev.panamacnn.tools.training;

/**
 * What one training epoch achieved. Accuracies are fractions in 0..1; {@code testAccuracy} is
 * NaN when the epoch was not evaluated on held-out data. {@code seconds} and
 * {@code samplesPerSecond} cover the training steps only, not the evaluation.
 */
public record EpochStats(int epoch, long samples, double trainLoss, double trainAccuracy,
        double testAccuracy, double seconds, double samplesPerSecond) {
    public EpochStats {
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs count from 1, got " + epoch);
        }
    }
}
