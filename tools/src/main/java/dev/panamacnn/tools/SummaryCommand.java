package dev.panamacnn.tools;

import dev.panamacnn.core.layers.Summary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code panama-cnn summary --example lenet|resnet18}: the per-layer table. */
@Command(name = "summary", description = "Per-layer output shapes, parameters and FLOPs of a model.")
final class SummaryCommand implements Callable<Integer> {

    @Option(names = "--example", required = true,
            description = "Built-in model: ${COMPLETION-CANDIDATES}.")
    Examples example;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        System.out.print(Summary.of(example.build(), example.input(batch)));
        return 0;
    }
}
