package dev.panamacnn.tools.training;

/**
 * Running totals of one epoch: samples, mean loss, accuracy and training time. The clock runs
 * from {@link #start()} to the latest {@link #add}, so evaluating after the last batch does
 * not lower the samples/s figure. Not thread-safe.
 */
public final class EpochMeter {
    private long samples, correct;
    private double lossSum;
    private long startNanos, lastNanos;

    /** Resets the totals and starts the clock. */
    public void start() {
        samples = 0;
        correct = 0;
        lossSum = 0;
        startNanos = lastNanos = System.nanoTime();
    }

    /** One batch: its size, its mean loss, and how many of its predictions were right. */
    public void add(int batchSamples, double meanLoss, int batchCorrect) {
        if (batchSamples < 0 || batchCorrect < 0 || batchCorrect > batchSamples) {
            throw new IllegalArgumentException("batch of " + batchSamples + " samples cannot have "
                    + batchCorrect + " correct");
        }
        samples += batchSamples;
        correct += batchCorrect;
        lossSum += meanLoss * batchSamples;
        lastNanos = System.nanoTime();
    }

    public long samples() {
        return samples;
    }

    /** Mean loss per sample so far (NaN before the first batch). */
    public double meanLoss() {
        return samples == 0 ? Double.NaN : lossSum / samples;
    }

    /** Fraction of correct predictions so far (NaN before the first batch). */
    public double accuracy() {
        return samples == 0 ? Double.NaN : (double) correct / samples;
    }

    /** Seconds from {@link #start()} to the latest batch. */
    public double seconds() {
        return (lastNanos - startNanos) / 1e9;
    }

    public double samplesPerSecond() {
        double s = seconds();
        return s > 0 ? samples / s : Double.NaN;
    }

    /** The epoch's figures, with the held-out accuracy measured after it (NaN if none). */
    public EpochStats stats(int epoch, double testAccuracy) {
        return new EpochStats(epoch, samples, meanLoss(), accuracy(), testAccuracy, seconds(),
                samplesPerSecond());
    }
}
