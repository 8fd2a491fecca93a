package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Layer;

/** The built-in example models the CLI can name. */
enum Examples {
    lenet(LeNet5.INPUT) {
        @Override
        Layer build() {
            return LeNet5.build();
        }
    },
    resnet18(ResNet18.INPUT) {
        @Override
        Layer build() {
            return ResNet18.build();
        }
    };

    final Shape input;

    Examples(Shape input) {
        this.input = input;
    }

    abstract Layer build();

    Shape input(int batch) {
        return input.withDim(0, batch);
    }
}
