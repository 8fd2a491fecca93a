package dev.panamacnn.tools.training;

import dev.panamacnn.core.io.Safetensors;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.onnx.OnnxExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The files a {@code train-mnist} run leaves in its directory, named after the model: the plot
 * ({@code lenet-training.png}), the weights and batch-norm state ({@code lenet.safetensors}) and
 * the inference model ({@code lenet.onnx}: batch-norm in inference form, dropout left out, a
 * symbolic batch axis), both files carrying {@link ModelMetadata}.
 */
public record TrainingArtifacts(Path plot, Path safetensors, Path onnx) {

    /** The three paths for {@code model} in {@code dir}. */
    public static TrainingArtifacts in(Path dir, MnistModel model) {
        return new TrainingArtifacts(dir.resolve(model.id() + "-training.png"), dir.resolve(model.id() + ".safetensors"),
                dir.resolve(model.id() + ".onnx"));
    }

    /** Writes all three (creating the directory), replacing earlier files of the same names. */
    public void write(MnistTraining.Outcome outcome, Map<String, String> metadata) throws IOException {
        Files.createDirectories(safetensors.toAbsolutePath().getParent());
        TrainingPlot.write(plot, outcome.history());
        Model m = outcome.model();
        Safetensors.write(safetensors, metadata, m.params(), m.state());
        OnnxExporter.write(m, onnx, OnnxExporter.Options.DEFAULT.withSymbolicBatch().withMetadata(metadata));
    }
}
