package dev.panamacnn.tests.models;

import dev.panamacnn.core.layers.Layer;

/** The model fixtures' networks, for tests in other packages. */
public final class ModelGoldenTestAccess {
    private ModelGoldenTestAccess() {}

    public static Layer miniResNet() {
        return ModelGoldenTest.miniResNet();
    }
}
