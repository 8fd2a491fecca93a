package dev.panamacnn.core.examples;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;

/**
 * LeNet-5 for 1×28×28 digits (LeCun et al. 1998, with ReLU and max pooling as commonly trained
 * today): conv 5×5 (pad 2) 1→6, pool, conv 5×5 6→16, pool, then 400→120→84→10.
 * 61,706 trainable parameters.
 */
public final class LeNet5 {
    /** One grey 28×28 image. */
    public static final Shape INPUT = Shape.of(1, 1, 28, 28);

    private LeNet5() {}

    public static Sequential build() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(1, 6, 5).padding(2))
                .add("relu1", Act.relu())
                .add("pool1", Pool2d.max(2, 2, 0))
                .add("conv2", Conv2d.of(6, 16, 5))
                .add("relu2", Act.relu())
                .add("pool2", Pool2d.max(2, 2, 0))
                .add("flatten", new Flatten())
                .add("fc1", Linear.of(16 * 5 * 5, 120))
                .add("relu3", Act.relu())
                .add("fc2", Linear.of(120, 84))
                .add("relu4", Act.relu())
                .add("fc3", Linear.of(84, 10))
                .build();
    }
}
