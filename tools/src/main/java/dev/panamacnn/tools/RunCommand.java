package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.onnx.OnnxModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code panama-cnn run MODEL.onnx}: one inference on a {@code .npy} tensor or on an image. */
@Command(name = "run", description = "Run an ONNX model on a .npy tensor (writes the output as .npy) or on an"
        + " image (prints the top classes).")
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--input", paramLabel = "X.npy", description = "Input tensor (float32 .npy, the model's input shape; any batch if the model allows).")
        Path input;

        @Option(names = "--image", paramLabel = "PHOTO", description = "A PNG or JPEG image to classify.")
        Path image;
    }

    @Option(names = "--output", paramLabel = "Y.npy", description = "Where to write the output tensor (with --input).")
    Path output;

    @Mixin
    ExecutionOptions exec;

    @Option(names = "--top", defaultValue = "5", description = "Classes to print with --image (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line (line k = class k).")
    Path labels;

    @Option(names = "--resize", paramLabel = "PIXELS", description = "Shorter side before the center crop to the model's"
            + " H×W (default: 256 for RGB models; grey models scale the whole image to H×W).")
    Integer resize;

    @Option(names = "--mean", split = ",", description = "Per-channel mean, one value per model channel (default: the"
            + " model's metadata, else ImageNet's 0.485,0.456,0.406 for RGB, MNIST's 0.1307 for grey).")
    float[] mean;

    @Option(names = "--std", split = ",", description = "Per-channel std (default: the model's metadata, else ImageNet's"
            + " 0.229,0.224,0.225 for RGB, MNIST's 0.3081 for grey).")
    float[] std;

    @Option(names = "--invert", description = "Use 1 − v: dark strokes on a light ground for a model trained on light"
            + " on dark (MNIST).")
    boolean invert;

    @Override
    public Integer call() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            if (source.input != null) {
                if (output == null) throw new IllegalArgumentException("--input needs --output Y.npy");
                Tensor x = Npy.read(source.input, arena);
                try (OnnxModel m = OnnxModel.load(model, x.shape());
                     CompiledModel plan = m.compile(exec.compileOptions())) {
                    Tensor y = plan.run(x, arena);
                    Npy.write(output, y);
                    System.out.printf(Locale.ROOT, "%s: input %s -> output %s written to %s (%s backend, %d thread(s))%n",
                            model.getFileName(), x.shape(), y.shape(), output, exec.backend, exec.threads);
                }
                return 0;
            }
            try (OnnxModel m = OnnxModel.load(model, 1);
                 CompiledModel plan = m.compile(exec.compileOptions())) {
                Shape in = m.inputShape();
                int channels = in.rank() == 4 ? in.dim(1) : 0;
                InputNormalization norm = InputNormalization.resolve(mean, std, m.metadata(), channels);
                int shorter = resize != null ? resize : channels == 1 ? 0 : 256;
                Tensor x = ImageInput.load(source.image, in,
                        new ImageInput.Preprocessing(shorter, norm.mean(), norm.std(), invert), arena);
                System.out.printf(Locale.ROOT, "%s: %s image, %s%s, normalised with %s%n", source.image.getFileName(),
                        channels == 1 ? "grey" : "RGB", shorter == 0 ? "scaled to " : "shorter side " + shorter
                        + ", center crop ", in.dim(2) + "×" + in.dim(3), norm);
                float[] scores = plan.run(x, arena).toArray();
                printTop(scores, labels == null ? List.of() : Files.readAllLines(labels));
            }
        }
        return 0;
    }

    /** Top classes by softmax probability of the output (already probabilities if they sum to 1). */
    private void printTop(float[] out, List<String> names) {
        double max = Double.NEGATIVE_INFINITY, sum = 0, raw = 0;
        for (float v : out) {
            max = Math.max(max, v);
            raw += v;
        }
        boolean probabilities = Math.abs(raw - 1) < 1e-3 && java.util.stream.IntStream.range(0, out.length).allMatch(i -> out[i] >= 0);
        double[] p = new double[out.length];
        for (int i = 0; i < out.length; i++) sum += p[i] = probabilities ? out[i] : Math.exp(out[i] - max);
        Integer[] order = new Integer[out.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        for (int k = 0; k < Math.min(top, order.length); k++) {
            int c = order[k];
            String name = c < names.size() ? names.get(c) : "class " + c;
            System.out.printf(Locale.ROOT, "%2d. %-30s %6.2f%%  (class %d)%n", k + 1, name, 100 * p[c] / sum, c);
        }
    }
}
