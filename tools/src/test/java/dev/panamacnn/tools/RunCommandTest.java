package dev.panamacnn.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.tools.training.MnistResources;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} on a LeNet-5 that {@code train-mnist} trained briefly: a digit image, and a tensor file. */
class RunCommandTest {
    /** Held-out digit 8040 of the shipped set, a 7 (written by tools/mnist/write_digit_png.py). */
    static final Path DIGIT = Path.of("src/test/resources/digits/digit-8040-label-7.png");

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        Cli.ok("train-mnist", "--epochs", "1", "--limit", "2000", "--threads", "2", "--save", dir.toString(), "--json");
        model = dir.resolve("lenet.onnx");
    }

    @Test
    void classifiesTheHeldOutDigitWithTheNormalizationFromTheModel() {
        String out = Cli.ok("run", model.toString(), "--image", DIGIT.toString(), "--top", "3").out();
        String[] lines = out.split("\n");
        assertEquals("digit-8040-label-7.png: grey image, scaled to 28×28, normalised with mean [0.1307], std [0.3081]"
                + " (the model's metadata)", lines[0]);
        assertTrue(lines[1].matches(" 1\\. class 7 +[0-9.]+%  \\(class 7\\)"), out);
        assertEquals(4, lines.length, out);
    }

    /** A larger RGB picture, dark on light: luminance, antialiased downscaling and --invert bring it back. */
    @Test
    void invertsAndScalesAnRgbPicture() throws IOException {
        BufferedImage grey = ImageIO.read(DIGIT.toFile());
        BufferedImage big = new BufferedImage(84, 84, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                int v = 255 - grey.getRaster().getSample(x / 3, y / 3, 0);
                big.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        Path photo = dir.resolve("seven-on-paper.png");
        ImageIO.write(big, "png", photo.toFile());
        String out = Cli.ok("run", model.toString(), "--image", photo.toString(), "--invert", "--top", "1").out();
        assertTrue(out.lines().skip(1).findFirst().orElseThrow().startsWith(" 1. class 7 "), out);
    }

    @Test
    void theCommittedDigitBecomesExactlyTheTrainingInput() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MnistDataset.Normalization n = MnistDataset.Normalization.MNIST;
            Tensor x = ImageInput.load(DIGIT, Shape.of(1, 1, 28, 28),
                    new ImageInput.Preprocessing(0, new float[] {n.mean()}, new float[] {n.std()}, false), arena);
            MnistDataset digit = MnistResources.load().slice(8040, 8041);
            assertEquals(7, digit.label(0));
            float[] expected = digit.images(arena, n).toArray(), actual = x.toArray();
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-6f, "pixel " + i);
        }
    }

    @Test
    void runsOnATensorFileAndWritesTheOutput() throws IOException {
        Path in = dir.resolve("digits.npy"), out = dir.resolve("logits.npy");
        try (Arena arena = Arena.ofConfined()) {
            MnistDataset three = MnistResources.load().slice(8000, 8003);
            Tensor x = three.images(arena, MnistDataset.Normalization.MNIST);
            Npy.write(in, x);
            String text = Cli.ok("run", model.toString(), "--input", in.toString(), "--output", out.toString(),
                    "--threads", "2").out();
            assertTrue(text.contains("input [3, 1, 28, 28] -> output [3, 10]"), text);
            Tensor y = Npy.read(out, arena);
            assertEquals(Shape.of(3, 10), y.shape());
            try (OnnxModel m = OnnxModel.load(model, 3)) {
                float[] reference = m.model().forward(x, Mode.INFERENCE, arena).toArray();
                float[] got = y.toArray();
                for (int i = 0; i < got.length; i++) assertEquals(reference[i], got[i], 1e-4f * (1 + Math.abs(reference[i])));
            }
        }
        assertTrue(Files.size(out) > 120);
    }

    @Test
    void meanAndStdMustMatchTheChannels() {
        Cli.Result r = Cli.run("run", model.toString(), "--image", DIGIT.toString(), "--mean", "0.5,0.5,0.5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("the model takes 1 channel(s): --mean and --std need 1 value(s) each, got 3 and 1"), r.err());
    }

    @Test
    void explicitValuesOverrideTheMetadata() {
        String out = Cli.ok("run", model.toString(), "--image", DIGIT.toString(), "--mean", "0", "--std", "1").out();
        assertTrue(out.startsWith("digit-8040-label-7.png: grey image, scaled to 28×28, normalised with mean [0.0], std [1.0]"
                + " (--mean/--std)"), out);
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f},
                InputNormalization.resolve(null, null, java.util.Map.of(), 3).mean());
    }
}
