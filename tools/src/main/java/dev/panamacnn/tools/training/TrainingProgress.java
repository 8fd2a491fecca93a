package dev.panamacnn.tools.training;

/**
 * What a training loop reports as it goes: the start of each epoch, each batch, and each
 * epoch's figures. {@link ConsoleProgress} draws a progress bar; {@link #none()} ignores it all
 * (for {@code --json} runs and tests).
 */
public interface TrainingProgress extends AutoCloseable {
    /** Epoch {@code epoch} of {@code epochs} (from 1) begins; it will train {@code samples} samples. */
    void onEpochStart(int epoch, int epochs, long samples);

    /** A batch of {@code samples} was trained; {@code loss} is its mean, {@code correct} its hits. */
    void onBatch(int samples, double loss, int correct);

    /** The epoch is over (and evaluated, if {@code stats.testAccuracy()} is not NaN). */
    void onEpochEnd(EpochStats stats);

    @Override
    default void close() {}

    /** Reports nothing. */
    static TrainingProgress none() {
        return new TrainingProgress() {
            @Override
            public void onEpochStart(int epoch, int epochs, long samples) {}

            @Override
            public void onBatch(int samples, double loss, int correct) {}

            @Override
            public void onEpochEnd(EpochStats stats) {}
        };
    }
}
