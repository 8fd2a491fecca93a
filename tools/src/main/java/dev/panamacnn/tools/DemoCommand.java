package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Summary;
import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.simd.SimdBackends;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.tools.training.ConsoleProgress;
import dev.panamacnn.tools.training.MnistModel;
import dev.panamacnn.tools.training.MnistResources;
import dev.panamacnn.tools.training.MnistTraining;
import dev.panamacnn.tools.training.OptimizerChoice;
import dev.panamacnn.tools.training.TrainingConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code panama-cnn demo}: the case for convolution in numbers, the example models' summaries,
 * a short LeNet-5 training run on real digits, and a timed ResNet-18 forward pass on the
 * reference kernels and the fast backend.
 */
@Command(name = "demo", description = "Build the example models, train LeNet-5 briefly on MNIST digits, and run"
        + " ResNet-18 on a random image, on the reference kernels and on the fast backend.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seed", defaultValue = "42", description = "Seed for weights and input (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        whyConvolution();
        try (Arena arena = Arena.ofConfined()) {
            runLeNet(arena);
            trainLeNet();
            runResNet(arena);
        }
        return 0;
    }

    /** One epoch of LeNet-5 over the 8,000 training digits (a few seconds; ~94 % held out), judged on the 2,000 held-out ones. */
    private void trainLeNet() throws IOException {
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        TrainingConfig config = new TrainingConfig(MnistModel.LENET, OptimizerChoice.sgd,
                OptimizerChoice.sgd.defaultLearningRate(), 1, 64, threads, seed, 0, MnistDataset.Normalization.MNIST);
        MnistDataset.Split data = MnistResources.load().split();
        System.out.printf(Locale.ROOT, "== Training LeNet-5 on MNIST: one epoch over %,d real digits (SGD, batch 64, %d thread(s)) ==%n",
                data.train().size(), threads);
        MnistTraining.Outcome outcome;
        try (ConsoleProgress progress = ConsoleProgress.toStandardError()) {
            outcome = MnistTraining.run(config, data, progress);
        }
        outcome.model().close();
        System.out.printf(Locale.ROOT, "held-out accuracy %.2f %% on %,d digits it never saw, after %.1f s of training"
                + " (%,.0f samples/s); bin/panama-cnn train-mnist trains for %d epochs and saves the model.%n%n",
                100 * outcome.testAccuracy(), data.test().size(), outcome.trainSeconds(), outcome.samplesPerSecond(),
                TrainMnistCommand.DEFAULT_EPOCHS);
    }

    /** One dense neuron over an image vs one small filter slid over it. */
    private static void whyConvolution() {
        Shape image = Shape.of(1, 3, 112, 112);
        long dense = Summary.of(Linear.of((int) image.sizeFrom(1), 1), Shape.of(1, (int) image.sizeFrom(1)))
                .totalParameters();
        long filter = Summary.of(Conv2d.of(3, 1, 3), image).totalParameters();
        System.out.println("== Why convolution ==");
        System.out.printf(Locale.ROOT, "One fully connected neuron on a 112×112×3 image: %,d parameters"
                + " (%,d weights + 1 bias).%n", dense, dense - 1);
        System.out.printf(Locale.ROOT, "One 3×3×3 convolution filter on the same image:  %,d parameters"
                + " (27 weights + 1 bias), shared across all 110×110 positions.%n%n", filter);
    }

    private void runLeNet(Arena arena) {
        try (Model lenet = Model.init(LeNet5.build(), LeNet5.INPUT, seed)) {
            System.out.println("== LeNet-5 ==");
            System.out.print(lenet.summary());
            Tensor digit = Tensor.randomUniform(arena, seed, 0f, 1f, LeNet5.INPUT.dims());
            long t0 = System.nanoTime();
            Tensor logits = lenet.forward(digit, Mode.INFERENCE, arena);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "forward on a random digit (reference kernels): %.1f ms,"
                    + " predicted class %d (untrained weights)%n%n", ms, argmax(logits.toArray()));
        }
    }

    private void runResNet(Arena arena) {
        try (Model resnet = Model.init(ResNet18.build(), ResNet18.INPUT, seed)) {
            System.out.println("== ResNet-18 ==");
            Summary summary = resnet.summary();
            System.out.print(summary);
            Tensor image = Tensor.randomNormal(arena, seed, 0f, 1f, ResNet18.INPUT.dims());
            long t0 = System.nanoTime();
            Tensor logits = resnet.forward(image, Mode.INFERENCE, arena);
            double ms = (System.nanoTime() - t0) / 1e6;
            float[] out = logits.toArray();
            System.out.printf(Locale.ROOT, "reference kernels, one thread:  %8.1f ms  (%6.2f GFLOP/s); output %s,"
                    + " top class %d (untrained weights)%n",
                    ms, summary.totalFlops() / (ms * 1e6), logits.shape(), argmax(out));
            runFast(resnet, image, out, ms, summary.totalFlops(), arena);
        }
    }

    /** The same forward pass compiled for the Vector API backend, 1 and 2 threads. */
    private void runFast(Model model, Tensor image, float[] reference, double referenceMs, long flops, Arena arena) {
        Backend fast = SimdBackends.fastest();
        for (int threads = 1; threads <= Math.min(2, Runtime.getRuntime().availableProcessors()); threads++) {
            try (CompiledModel plan = Compiler.compile(model, image.shape(), CompileOptions.of(fast).threads(threads))) {
                Tensor y = Tensor.allocate(arena, plan.outputShape());
                long[] nanos = new long[15];
                for (int i = 0; i < 5; i++) plan.run(image, y); // warm-up: JIT
                for (int i = 0; i < nanos.length; i++) {
                    long t0 = System.nanoTime();
                    plan.run(image, y);
                    nanos[i] = System.nanoTime() - t0;
                }
                double ms = LatencyStats.of(nanos).medianMs();
                float[] out = y.toArray();
                double maxDiff = 0;
                for (int i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - reference[i]));
                // The model's FLOPs over the time: an effective rate (Winograd layers do fewer multiply-adds).
                System.out.printf(Locale.ROOT, "%s backend, %d thread(s):     %8.1f ms  (%6.2f effective GFLOP/s, median of %d);"
                        + " %.0f× the reference; max |difference| %.2e, top class %d%n", fast.name(), threads, ms,
                        flops / (ms * 1e6), nanos.length, referenceMs / ms, maxDiff, argmax(out));
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
