package dev.panamacnn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.BatchIterator;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.MnistCnnBn;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.train.Initializer;
import dev.panamacnn.core.train.Sgd;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.onnx.OnnxExporter;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code train-mnist} saves, checked against ONNX Runtime: LeNet-5 and the batch-norm CNN,
 * trained for a few steps on real digits (so weights and running statistics are not their
 * initial values), exported with a symbolic batch and metadata; ORT reads the metadata and, on
 * 100 held-out digits, computes the logits panama-cnn's trainer computes, with the same classes.
 */
class MnistExportOrtTest {
    static final Path DIGITS = Path.of("../tools/src/main/resources/dev/panamacnn/tools/mnist");
    static final int STEPS = 20, BATCH = 32, CHECKED = 100;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"lenet", "cnn-bn"})
    void ortPredictsWhatTheTrainedModelPredicts(String name) throws Exception {
        Layer net = name.equals("lenet") ? LeNet5.build() : MnistCnnBn.build();
        MnistDataset.Split data = MnistDataset.read(DIGITS.resolve("mnist-10k-images-idx3-ubyte.gz"),
                DIGITS.resolve("mnist-10k-labels-idx1-ubyte.gz")).split();
        Path file = tmp.resolve(name + ".onnx");
        try (Arena arena = Arena.ofShared();
             Model m = Model.init(net, Shape.of(BATCH, 1, 28, 28), 7);
             TrainingKernels k = SimdTraining.create(1);
             Sgd sgd = Sgd.of(0.05).momentum(0.9);
             Trainer trainer = new Trainer(m, sgd, k, 7)) {
            Initializer.KAIMING_NORMAL.apply(m.params(), 7);
            MnistDataset train = data.train().slice(0, STEPS * BATCH);
            BatchIterator batches = BatchIterator.shuffled(train.images(arena, MnistDataset.Normalization.MNIST),
                    train.labels(), BATCH, 7, true, arena);
            batches.startEpoch(0);
            while (batches.next()) trainer.step(batches.inputs(), batches.labels());

            OnnxExporter.write(m, file, OnnxExporter.Options.DEFAULT.withSymbolicBatch()
                    .withMetadata(Map.of("normalization.mean", "0.1307", "normalization.std", "0.3081")));
            MnistDataset held = data.test().slice(0, CHECKED);
            Tensor x = held.images(arena, MnistDataset.Normalization.MNIST);
            float[] ours = trainer.logits(x, arena).toArray();
            float[] theirs;
            try (OrtPeer ort = new OrtPeer(file, x.shape(), x.toArray(), 1)) {
                theirs = ort.run();
            }
            OrtAgreementTest.tolerance(ours).assertClose(name + ": ONNX Runtime vs the trainer's inference logits", ours, theirs);
            int same = 0, classes = 10;
            for (int i = 0; i < CHECKED; i++) {
                if (argmax(ours, i * classes, classes) == argmax(theirs, i * classes, classes)) same++;
            }
            assertEquals(CHECKED, same, name + ": the same class for every digit");
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString())) {
                assertEquals("0.1307", s.getMetadata().getCustomMetadata().get("normalization.mean"));
                assertTrue(s.getInputInfo().values().iterator().next().getInfo().toString().contains("shape=[-1, 1, 28, 28]"),
                        "a symbolic batch: " + s.getInputInfo());
            }
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (v[from + j] > v[from + best]) best = j;
        return best;
    }
}
