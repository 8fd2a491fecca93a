package dev.panamacnn.tools;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code panama-cnn summary MODEL.onnx | --example lenet|resnet18}: the per-layer table. */
@Command(name = "summary", description = "Per-layer output shapes, parameters and FLOPs of a model.")
final class SummaryCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource.Choice model;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws IOException {
        try (ModelSource.Loaded m = ModelSource.load(model, batch, 0)) {
            System.out.print(m.model().summary());
        }
        return 0;
    }
}
