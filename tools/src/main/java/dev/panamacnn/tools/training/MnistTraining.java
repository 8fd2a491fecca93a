package dev.panamacnn.tools.training;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.BatchIterator;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.train.Initializer;
import dev.panamacnn.core.train.LrSchedule;
import dev.panamacnn.core.train.Optimizer;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code train-mnist} loop: Kaiming-normal weights from the seed (biases 0, batch-norm
 * γ = 1, β = 0), then per epoch train on the shuffled training digits (cosine learning-rate
 * schedule, last short batch kept) and classify the held-out digits, reporting to a
 * {@link TrainingProgress}. Runs on the SIMD training kernels (the reference ones where the
 * Vector API is missing).
 */
public final class MnistTraining {
    /** Held-out digits per evaluation batch: large enough to amortise the kernels' per-call cost. */
    static final int EVAL_BATCH = 500;

    private MnistTraining() {}

    /**
     * The trained model (the caller closes it), the per-epoch figures, and the final model's class
     * for every held-out digit (what its held-out accuracy counts).
     */
    public record Outcome(Model model, List<EpochStats> history, int[] testPredictions) {
        public double testAccuracy() {
            return history.getLast().testAccuracy();
        }

        /** Seconds spent in training steps, all epochs (evaluation excluded). */
        public double trainSeconds() {
            return history.stream().mapToDouble(EpochStats::seconds).sum();
        }

        /** Training samples per second over all epochs. */
        public double samplesPerSecond() {
            return history.stream().mapToLong(EpochStats::samples).sum() / trainSeconds();
        }
    }

    /** Trains {@code config.model()} on {@code data.train()} and evaluates on {@code data.test()} after every epoch. */
    public static Outcome run(TrainingConfig config, MnistDataset.Split data, TrainingProgress progress) {
        MnistDataset train = config.trainLimit() == 0 ? data.train()
                : data.train().slice(0, Math.min(config.trainLimit(), data.train().size()));
        MnistDataset test = data.test();
        Shape input = Shape.of(config.batch(), 1, train.rows(), train.cols());
        Model model = Model.init(config.model().build(), input, config.seed());
        boolean done = false;
        // Shared: the kernels' worker threads read the batches.
        try (Arena arena = Arena.ofShared();
             TrainingKernels kernels = SimdTraining.create(config.threads());
             Optimizer optimizer = config.optimizer().create(config.learningRate());
             Trainer trainer = new Trainer(model, optimizer, kernels, config.seed())) {
            Initializer.KAIMING_NORMAL.apply(model.params(), config.seed());
            Tensor trainX = train.images(arena, config.normalization());
            Tensor testX = test.images(arena, config.normalization());
            BatchIterator batches = BatchIterator.shuffled(trainX, train.labels(), config.batch(), config.seed(), false, arena);
            BatchIterator held = BatchIterator.inOrder(testX, test.labels(), Math.min(EVAL_BATCH, test.size()), arena);
            LrSchedule schedule = LrSchedule.cosine(config.learningRate(), config.epochs(), 0);
            EpochMeter meter = new EpochMeter();
            List<EpochStats> history = new ArrayList<>();
            int[] predictions = new int[test.size()];
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                optimizer.learningRate(schedule.rate(epoch));
                progress.onEpochStart(epoch + 1, config.epochs(), batches.samplesPerEpoch());
                meter.start();
                batches.startEpoch(epoch);
                while (batches.next()) {
                    Trainer.Result r = trainer.step(batches.inputs(), batches.labels());
                    meter.add(r.batch(), r.loss(), r.correct());
                    progress.onBatch(r.batch(), r.loss(), r.correct());
                }
                predict(trainer, held, predictions);
                EpochStats stats = meter.stats(epoch + 1, accuracy(predictions, test.labels()));
                history.add(stats);
                progress.onEpochEnd(stats);
            }
            done = true;
            return new Outcome(model, List.copyOf(history), predictions);
        } finally {
            if (!done) model.close();
        }
    }

    /** The arg-max class of the trainer's model (inference mode) for every sample of {@code batches}, in order. */
    static void predict(Trainer trainer, BatchIterator batches, int[] into) {
        int next = 0;
        batches.startEpoch(0);
        try (Arena scratch = Arena.ofConfined()) {
            while (batches.next()) {
                int[] classes = Predictions.argmax(trainer.logits(batches.inputs(), scratch));
                System.arraycopy(classes, 0, into, next, classes.length);
                next += classes.length;
            }
        }
    }

    /** The fraction of {@code predictions} equal to {@code labels}. */
    public static double accuracy(int[] predictions, int[] labels) {
        return (double) Predictions.agreeing(predictions, labels) / labels.length;
    }
}
