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
            case HARD_SIGMOID -> 5;
            case HARD_SWISH -> 6;
        };
    }

    /**
     * Appends kind, min and max: the last three arguments of every kernel with an epilogue. The
     * hard kinds pass alpha and beta in the bounds' places (their bounds are fixed).
     */
    static Launch args(Launch l, Activation a) {
        boolean hard = a.kind() == Activation.Kind.HARD_SIGMOID || a.kind() == Activation.Kind.HARD_SWISH;
        return l.arg(code(a)).arg(hard ? a.alpha() : a.min()).arg(hard ? a.beta() : a.max());
    }
}
