package dev.panamacnn.core.examples;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;

/**
 * A small batch-normalised CNN for 1×28×28 digits: two blocks of conv 3×3 (pad 1, no bias — the
 * batch-norm β takes its place) → batch-norm → ReLU → max-pool 2, with 8 then 16 channels, then
 * dropout (p = {@value #DROPOUT}) and one dense layer 784→10. 9,122 trainable parameters; the
 * batch-norm running statistics are state.
 *
 * <p>It shows the two layers that behave differently while training: batch-norm normalises with
 * mini-batch statistics (and updates its running estimates), dropout zeroes activations. In
 * inference both are fixed functions, and a compiled plan folds the batch-norm into the conv.
 */
public final class MnistCnnBn {
    /** One grey 28×28 image. */
    public static final Shape INPUT = Shape.of(1, 1, 28, 28);
    /** Dropout probability before the classifier. */
    public static final float DROPOUT = 0.3f;

    private MnistCnnBn() {}

    public static Sequential build() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(1, 8, 3).padding(1).noBias())
                .add("bn1", BatchNorm.of(8))
                .add("relu1", Act.relu())
                .add("pool1", Pool2d.max(2, 2, 0))
                .add("conv2", Conv2d.of(8, 16, 3).padding(1).noBias())
                .add("bn2", BatchNorm.of(16))
                .add("relu2", Act.relu())
                .add("pool2", Pool2d.max(2, 2, 0))
                .add("flatten", new Flatten())
                .add("drop", new Dropout(DROPOUT))
                .add("fc", Linear.of(16 * 7 * 7, 10))
                .build();
    }
}
