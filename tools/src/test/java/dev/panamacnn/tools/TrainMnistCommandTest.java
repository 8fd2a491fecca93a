package dev.panamacnn.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.MnistCnnBn;
import dev.panamacnn.core.io.Safetensors;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import dev.panamacnn.tools.training.MnistResources;
import dev.panamacnn.tools.training.ModelMetadata;
import dev.panamacnn.tools.training.Predictions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-mnist} end to end on a few hundred digits: the JSON summary, the three files, and
 * that both saved forms of the model reload and predict what training measured.
 */
class TrainMnistCommandTest {
    @TempDir
    Path dir;

    static final List<String> KEYS = List.of("model", "epochs", "batch", "optimizer", "lr", "threads", "seed",
            "train_samples", "test_accuracy", "train_seconds", "samples_per_s", "total_seconds", "onnx_agreement",
            "plot", "safetensors", "onnx");

    @Test
    void lenetSavesAPlotACheckpointAndAnOnnxModelThatPredictLikeTraining() throws IOException {
        Map<String, String> json = FlatJson.lastObject(Cli.ok("train-mnist", "--epochs", "1", "--limit", "640", "--threads", "2",
                "--save", dir.toString(), "--json").out());
        assertEquals(KEYS, List.copyOf(json.keySet()));
        assertEquals("lenet", json.get("model"));
        assertEquals("640", json.get("train_samples"));
        assertEquals("sgd", json.get("optimizer"));
        double accuracy = Double.parseDouble(json.get("test_accuracy"));
        assertTrue(accuracy > 0.3 && accuracy <= 1, "one short epoch learns something: " + accuracy);
        assertTrue(Double.parseDouble(json.get("samples_per_s")) > 0);
        assertEquals(1.0, Double.parseDouble(json.get("onnx_agreement")), "the ONNX model predicts every held-out digit as trained");

        Path png = dir.resolve("lenet-training.png"), st = dir.resolve("lenet.safetensors"), onnx = dir.resolve("lenet.onnx");
        assertEquals(List.of(png.toString(), st.toString(), onnx.toString()),
                List.of(json.get("plot"), json.get("safetensors"), json.get("onnx")));
        assertTrue(Files.size(png) > 1000);
        byte[] magic = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, magic);

        assertCheckpointPredictsLikeOnnx(LeNet5.build(), st, onnx, accuracy);
    }

    @Test
    void cnnBnExportsBatchNormAndDropoutForInference() throws IOException {
        Map<String, String> json = FlatJson.lastObject(Cli.ok("train-mnist", "--model", "cnn-bn", "--epochs", "1", "--limit",
                "320", "--optimizer", "adam", "--threads", "1", "--save", dir.toString(), "--json").out());
        assertEquals("cnn-bn", json.get("model"));
        assertEquals("0.002", json.get("lr"), "adam's default rate");
        assertEquals(1.0, Double.parseDouble(json.get("onnx_agreement")));
        assertCheckpointPredictsLikeOnnx(MnistCnnBn.build(), dir.resolve("cnn-bn.safetensors"), dir.resolve("cnn-bn.onnx"),
                Double.parseDouble(json.get("test_accuracy")));
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Cli.Result r = Cli.run("train-mnist", "--model", "vgg", "--save", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown model 'vgg', expected one of [lenet, cnn-bn]"), r.err());
        r = Cli.run("train-mnist", "--epochs", "0", "--save", dir.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("error: epochs must be >= 1, got 0"), r.err());
    }

    /**
     * A fresh model loaded from the checkpoint and the imported ONNX model give the same logits
     * (same layers, same reference kernels), and the checkpoint, compiled, scores on the held-out
     * digits what training reported.
     */
    private static void assertCheckpointPredictsLikeOnnx(Layer net, Path st, Path onnx, double accuracy) throws IOException {
        MnistDataset test = MnistResources.load().split().test();
        try (Arena arena = Arena.ofConfined();
             Model fresh = Model.init(net, LeNet5.INPUT, 999);
             OnnxModel imported = OnnxModel.load(onnx, 1)) {
            Map<String, String> meta = Safetensors.readInto(st, fresh.params(), fresh.state());
            assertEquals(meta, imported.metadata(), "both files carry the same metadata");
            assertEquals("0.1307", meta.get(ModelMetadata.MEAN));
            assertEquals(String.format(Locale.ROOT, "%.4f", accuracy), meta.get(ModelMetadata.TEST_ACCURACY));
            Tensor all = test.images(arena, MnistDataset.Normalization.MNIST);
            Tensor some = Tensor.wrap(all.segment().asSlice(0, 100L * 28 * 28 * Float.BYTES), Shape.of(100, 1, 28, 28));
            assertArrayEquals(fresh.forward(some, Mode.INFERENCE, arena).toArray(),
                    imported.model().forward(some, Mode.INFERENCE, arena).toArray());
            try (CompiledModel plan = Compiler.compile(fresh, all.shape(), CompileOptions.of(SimdBackends.fastest()))) {
                int right = Predictions.agreeing(Predictions.argmax(plan.run(all, arena)), test.labels());
                assertEquals(accuracy, (double) right / test.size(), 1.0 / test.size(),
                        "the reloaded checkpoint scores what training measured, to a digit");
            }
        }
    }
}
