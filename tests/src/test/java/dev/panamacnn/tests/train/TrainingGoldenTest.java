package dev.panamacnn.tests.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Variables;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.core.train.Adam;
import dev.panamacnn.core.train.Optimizer;
import dev.panamacnn.core.train.Sgd;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import dev.panamacnn.tests.models.ModelGoldenTestAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Two optimizer steps on a fixed batch, from the weights of the model fixtures, give PyTorch's
 * updated weights (tools/golden/make_train_golden.py): LeNet-5 with SGD (momentum, Nesterov,
 * weight decay), Adam and AdamW; a small ResNet (batch-norm in training mode, identity and
 * projection shortcuts) with SGD momentum, including the running statistics. Both the
 * reference kernels and the simd kernels on two threads.
 */
class TrainingGoldenTest {
    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final Path TRAIN = Path.of("src/test/resources/train");
    /** Two steps of float gradients summed in another order, times the learning rate, plus the update's own rounding. */
    private static final Tolerance WEIGHTS = new Tolerance(1e-4, 2e-6, 4);
    /**
     * Adam divides by √v, so for a weight whose gradient is tiny the step is sign-like and float
     * reordering of that gradient moves it by a visible fraction of lr (seen: 7e-6 at lr 1e-3);
     * 1 % of one step still catches any wrong formula, which is off by a whole step.
     */
    private static final Tolerance ADAM_WEIGHTS = new Tolerance(1e-4, 1e-5, 4);

    private static void check(String model, Layer net, String opt, Supplier<Optimizer> optimizer, int threads)
            throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Path dir = TRAIN.resolve(model);
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            float[] l = Npy.read(dir.resolve("labels.npy"), arena).toArray();
            int[] labels = new int[l.length];
            for (int i = 0; i < l.length; i++) labels[i] = (int) l[i];
            try (Model m = Model.init(net, x.shape(), 0); Optimizer o = optimizer.get();
                 TrainingKernels k = threads == 0 ? TrainingKernels.reference() : SimdTraining.create(threads);
                 Trainer t = new Trainer(m, o, k, 0)) {
                load(m.params(), MODELS.resolve(model).resolve("params"), arena);
                load(m.state(), MODELS.resolve(model).resolve("state"), arena);
                double loss = t.step(x, labels).loss();
                String what = model + " " + opt + (threads == 0 ? " reference" : " simd, " + threads + " threads");
                assertEquals(Npy.read(dir.resolve("loss.npy"), arena).getFlat(0), loss, 1e-5, what + " loss");
                t.step(x, labels);
                for (String name : m.params().names()) {
                    (opt.startsWith("adam") ? ADAM_WEIGHTS : WEIGHTS).assertClose(what + " " + name, Npy.read(dir.resolve(opt).resolve(name + ".npy"), arena),
                            m.params().get(name));
                }
                for (String name : m.state().names()) {
                    WEIGHTS.assertClose(what + " " + name,
                            Npy.read(dir.resolve(opt).resolve("state").resolve(name + ".npy"), arena), m.state().get(name));
                }
            }
        }
    }

    private static void load(Variables v, Path dir, Arena arena) {
        if (!Files.isDirectory(dir)) return;
        for (String name : v.names()) {
            try {
                v.load(name, Npy.read(dir.resolve(name + ".npy"), arena));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void leNetSgdNesterovWeightDecay() throws IOException {
        for (int threads : new int[] {0, 2}) {
            check("lenet5", LeNet5.build(), "sgd", () -> Sgd.of(0.05).momentum(0.9).weightDecay(5e-4).nesterov(true),
                    threads);
        }
    }

    @Test
    void leNetAdam() throws IOException {
        for (int threads : new int[] {0, 2}) check("lenet5", LeNet5.build(), "adam", () -> Adam.of(1e-3), threads);
    }

    @Test
    void leNetAdamW() throws IOException {
        for (int threads : new int[] {0, 2}) check("lenet5", LeNet5.build(), "adamw", () -> Adam.w(1e-3), threads);
    }

    @Test
    void miniResNetSgdWithBatchNorm() throws IOException {
        for (int threads : new int[] {0, 2}) {
            check("mini_resnet", ModelGoldenTestAccess.miniResNet(), "sgd", () -> Sgd.of(0.05).momentum(0.9), threads);
        }
    }
}
