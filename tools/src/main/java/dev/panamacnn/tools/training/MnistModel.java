package dev.panamacnn.tools.training;

import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.MnistCnnBn;
import dev.panamacnn.core.layers.Layer;
import java.util.Arrays;
import java.util.List;

/** The networks {@code train-mnist --model} can train, by their command-line names. */
public enum MnistModel {
    /** {@link LeNet5}: two convolutions, three dense layers, 61,706 parameters. */
    LENET("lenet") {
        @Override
        public Layer build() {
            return LeNet5.build();
        }
    },
    /** {@link MnistCnnBn}: conv–BN–ReLU–pool twice, dropout, one dense layer; 9,122 parameters. */
    CNN_BN("cnn-bn") {
        @Override
        public Layer build() {
            return MnistCnnBn.build();
        }
    };

    private final String id;

    MnistModel(String id) {
        this.id = id;
    }

    public abstract Layer build();

    /** The command-line name, e.g. {@code cnn-bn}. */
    public String id() {
        return id;
    }

    /** The model named {@code id} (as {@link #id()} spells it). */
    public static MnistModel parse(String id) {
        for (MnistModel m : values()) {
            if (m.id.equals(id)) return m;
        }
        throw new IllegalArgumentException("unknown model '" + id + "', expected one of " + ids());
    }

    /** Every command-line name, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(MnistModel::id).toList();
    }

    @Override
    public String toString() {
        return id;
    }
}
