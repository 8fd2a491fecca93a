package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;

/**
 * Declaration of one variable a layer needs: its name (relative to the layer), shape, whether
 * it is a trainable parameter or state (e.g. running statistics), and how to initialise it.
 */
public record Variable(String name, Shape shape, Kind kind, Init init) {

    public enum Kind { PARAMETER, STATE }

    /** Initialisers; seeded per variable so the result does not depend on declaration order. */
    public enum Init {
        ZEROS, ONES,
        /** He/Kaiming normal, N(0, 2/fanIn): the ReLU-network default. */
        KAIMING_NORMAL;

        void fill(Tensor t, long seed) {
            switch (this) {
                case ZEROS -> t.fill(0f);
                case ONES -> t.fill(1f);
                case KAIMING_NORMAL -> t.fillKaimingNormal(seed);
            }
        }
    }

    public static Variable parameter(String name, Shape shape, Init init) {
        return new Variable(name, shape, Kind.PARAMETER, init);
    }

    public static Variable state(String name, Shape shape, Init init) {
        return new Variable(name, shape, Kind.STATE, init);
    }

    public boolean trainable() {
        return kind == Kind.PARAMETER;
    }
}
