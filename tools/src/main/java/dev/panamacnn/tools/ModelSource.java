package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.onnx.OnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A model named on the command line: a built-in example ({@code --example}) or an {@code .onnx} file. */
final class ModelSource {

    /** Exactly one of the two. */
    static final class Choice {
        @Option(names = "--example", description = "Built-in model: ${COMPLETION-CANDIDATES}.")
        Examples example;

        @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.onnx", description = "An ONNX model file.")
        Path file;
    }

    /** A loaded model and its name for reports; closing closes the model. */
    record Loaded(String name, Model model) implements AutoCloseable {
        Shape input() {
            return model.inputShape();
        }

        @Override
        public void close() {
            model.close();
        }
    }

    private ModelSource() {}

    /** Loads the chosen model for {@code batch} images (the ONNX input's first dimension). */
    static Loaded load(Choice c, int batch, long seed) throws IOException {
        if (c == null || (c.example == null) == (c.file == null)) {
            throw new IllegalArgumentException("name a model: either MODEL.onnx or --example lenet|resnet18");
        }
        if (c.example != null) {
            Shape in = c.example.input(batch);
            return new Loaded(c.example.name(), Model.init(c.example.build(), in, seed));
        }
        return new Loaded(c.file.getFileName().toString(), onnx(c.file, batch).model());
    }

    /** An ONNX model for {@code batch} images. */
    static OnnxModel onnx(Path file, int batch) throws IOException {
        return OnnxModel.load(file, batch);
    }
}
