package dev.panamacnn.opencl;

import dev.panamacnn.core.ops.Activation;

/** How an {@link Activation} is passed to a kernel: the kind code of {@code common.cl} and the clamp bounds. */
final class Act {
    private Act() {}

    static int code(Activation a) {
        return switch (a.kind()) {
            case IDENTITY -> 0;
            case RELU -> 1;
            case CLIP -> 2;
            case SIGMOID -> 3;
            case TANH -> 4;
            case HARD_SIGMOID, HARD_SWISH -> throw new UnsupportedOperationException("the opencl backend has no"
                    + " kernel for " + a + " yet; compile this model with the simd or reference backend");
        };
    }

    /** Appends kind, min and max: the last three arguments of every kernel with an epilogue. */
    static Launch args(Launch l, Activation a) {
        return l.arg(code(a)).arg(a.min()).arg(a.max());
    }
}
