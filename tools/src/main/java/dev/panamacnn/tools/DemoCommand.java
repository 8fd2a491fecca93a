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
import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code panama-cnn demo}: the case for convolution in numbers, the example models' summaries,
 * and a timed ResNet-18 forward pass on the reference kernels.
 */
@Command(name = "demo", description = "Build the example models and run ResNet-18 on a random image.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seed", defaultValue = "42", description = "Seed for weights and input (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        whyConvolution();
        try (Arena arena = Arena.ofConfined()) {
            runLeNet(arena);
            runResNet(arena);
        }
        return 0;
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
            System.out.printf(Locale.ROOT, "forward on a random 3×224×224 image (reference kernels, one"
                    + " thread): %.0f ms, %.2f GFLOP/s; output %s, top class %d (untrained weights)%n",
                    ms, summary.totalFlops() / (ms * 1e6), logits.shape(), argmax(out));
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
