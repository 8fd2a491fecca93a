package dev.panamacnn.tools;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.simd.SimdBackends;
import dev.panamacnn.tools.training.ConsoleProgress;
import dev.panamacnn.tools.training.MnistModel;
import dev.panamacnn.tools.training.MnistResources;
import dev.panamacnn.tools.training.MnistTraining;
import dev.panamacnn.tools.training.ModelMetadata;
import dev.panamacnn.tools.training.OnnxPredictions;
import dev.panamacnn.tools.training.OptimizerChoice;
import dev.panamacnn.tools.training.Predictions;
import dev.panamacnn.tools.training.TrainingArtifacts;
import dev.panamacnn.tools.training.TrainingConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code panama-cnn train-mnist}: trains LeNet-5 or the batch-norm CNN on the 8,000 shipped
 * training digits, shows a progress bar per epoch and the held-out accuracy after each, then
 * saves a plot, a safetensors checkpoint and an ONNX model, and checks that the ONNX file,
 * imported again, predicts what the trained model predicted.
 */
@Command(name = "train-mnist", description = "Train a CNN on the shipped MNIST digits (8,000 train, 2,000 held out);"
        + " writes a loss/accuracy plot, a safetensors checkpoint and an ONNX model.")
final class TrainMnistCommand implements Callable<Integer> {
    /** Default epochs: enough for ≥ 97 % held-out accuracy with the default model and optimizer. */
    static final int DEFAULT_EPOCHS = 10;

    @Option(names = "--model", defaultValue = "lenet", converter = ModelConverter.class,
            completionCandidates = ModelNames.class, description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    MnistModel model;

    @Option(names = "--epochs", defaultValue = "" + DEFAULT_EPOCHS, description = "Passes over the training digits (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "${COMPLETION-CANDIDATES}: SGD with momentum 0.9,"
            + " Adam, AdamW (default ${DEFAULT-VALUE}).")
    OptimizerChoice optimizer;

    @Option(names = "--lr", description = "Initial learning rate, annealed to 0 by a cosine schedule"
            + " (default 0.02 for sgd, 0.002 for adam and adamw).")
    Double lr;

    @Option(names = "--threads", description = "Training threads (default: the available processors, ${DEFAULT-VALUE} here).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation, shuffling and dropout (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--save", paramLabel = "DIR", defaultValue = "mnist-run",
            description = "Directory for the plot, checkpoint and ONNX model (default ./${DEFAULT-VALUE}).")
    Path save;

    @Option(names = "--json", description = "End with one JSON object of the results on standard output"
            + " (progress stays on standard error).")
    boolean json;

    @Option(names = "--limit", hidden = true, defaultValue = "0", description = "Train on the first N training digits only (tests, demos).")
    int limit;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        TrainingConfig config = new TrainingConfig(model, optimizer, lr != null ? lr : optimizer.defaultLearningRate(),
                epochs, batch, threads, seed, limit, MnistDataset.Normalization.MNIST);
        Files.createDirectories(save); // fail now, not after training, if it cannot be
        MnistDataset.Split data = MnistResources.load().split();
        int trainCount = limit == 0 ? data.train().size() : Math.min(limit, data.train().size());
        if (!json) {
            System.out.printf(Locale.ROOT, "train-mnist: %s, %s lr %s (cosine to 0), batch %d, %d epochs, %d thread(s), seed %d;"
                    + " %,d training digits, %,d held out%n", model, optimizer, config.learningRate(), batch, epochs, threads,
                    seed, trainCount, data.test().size());
        }
        MnistTraining.Outcome outcome;
        try (ConsoleProgress progress = ConsoleProgress.toStandardError()) {
            outcome = MnistTraining.run(config, data, progress);
        }
        try (var trained = outcome.model(); Arena arena = Arena.ofConfined()) {
            TrainingArtifacts files = TrainingArtifacts.in(save, model);
            files.write(outcome, ModelMetadata.of(config, outcome));
            Tensor testImages = data.test().images(arena, config.normalization());
            int[] reloaded = OnnxPredictions.classify(files.onnx(), testImages, 500,
                    CompileOptions.of(SimdBackends.fastest()).threads(threads));
            int agree = Predictions.agreeing(reloaded, outcome.testPredictions());
            double totalSeconds = (System.nanoTime() - t0) / 1e9;
            if (json) {
                System.out.println(new JsonLine().put("model", model.id()).put("epochs", epochs).put("batch", batch)
                        .put("optimizer", optimizer.name()).put("lr", config.learningRate()).put("threads", threads)
                        .put("seed", seed).put("train_samples", trainCount)
                        .put("test_accuracy", outcome.testAccuracy(), 4)
                        .put("train_seconds", outcome.trainSeconds(), 2)
                        .put("samples_per_s", outcome.samplesPerSecond(), 1)
                        .put("total_seconds", totalSeconds, 2)
                        .put("onnx_agreement", (double) agree / reloaded.length, 4)
                        .put("plot", files.plot().toString()).put("safetensors", files.safetensors().toString())
                        .put("onnx", files.onnx().toString()));
            } else {
                System.out.printf(Locale.ROOT, "held-out accuracy %.2f %% after %d epochs; %.1f s of training (%,.0f samples/s,"
                        + " %d thread(s)), %.1f s in all%n", 100 * outcome.testAccuracy(), epochs, outcome.trainSeconds(),
                        outcome.samplesPerSecond(), threads, totalSeconds);
                System.out.printf("wrote %s (loss and accuracy per epoch)%n", files.plot());
                System.out.printf("      %s (parameters and batch-norm state)%n", files.safetensors());
                System.out.printf(Locale.ROOT, "      %s (imported again: %d/%d held-out predictions as trained)%n",
                        files.onnx(), agree, reloaded.length);
                System.out.printf("try:  bin/panama-cnn run %s --image DIGIT.png%n", files.onnx());
            }
        }
        return 0;
    }

    /** {@code --model} by its command-line name ({@code cnn-bn}, not the enum constant). */
    static final class ModelConverter implements picocli.CommandLine.ITypeConverter<MnistModel> {
        @Override
        public MnistModel convert(String value) {
            return MnistModel.parse(value);
        }
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return MnistModel.ids().iterator();
        }
    }
}
