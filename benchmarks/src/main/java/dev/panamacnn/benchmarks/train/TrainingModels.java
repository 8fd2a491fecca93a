package dev.panamacnn.benchmarks.train;

import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;

/** The networks the training benchmarks time, by name: {@code lenet} and {@code cnn-bn}. */
public final class TrainingModels {
    private TrainingModels() {}

    public static Layer byName(String name) {
        return switch (name) {
            case "lenet" -> LeNet5.build();
            case "cnn-bn" -> cnnBn();
            default -> throw new IllegalArgumentException("unknown model '" + name + "', expected lenet or cnn-bn");
        };
    }

    /** A small conv–BN–ReLU–pool network with dropout before its classifier (as in ReproducibilityTest). */
    static Layer cnnBn() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(1, 8, 3).padding(1).noBias()).add("bn1", BatchNorm.of(8))
                .add("relu1", Act.relu()).add("pool1", Pool2d.max(2, 2, 0))
                .add("conv2", Conv2d.of(8, 16, 3).padding(1).noBias()).add("bn2", BatchNorm.of(16))
                .add("relu2", Act.relu()).add("pool2", Pool2d.max(2, 2, 0))
                .add("flatten", new Flatten()).add("drop", new Dropout(0.3f))
                .add("fc", Linear.of(16 * 7 * 7, 10))
                .build();
    }
}
