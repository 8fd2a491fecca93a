package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import java.lang.foreign.MemorySegment;

/**
 * Reference gradients of element-wise ops; {@code dx} may alias {@code dy}.
 * {@link #activation} gives {@code dx = dy · f'(x)} with PyTorch's choices at the kinks: ReLU
 * and clip pass the gradient only strictly inside the linear range (ReLU'(0) = 0), hard-sigmoid
 * only where {@code 0 < αx + β < 1}, hard-swish {@code hs(x) + α·x} there, 0 below, 1 above.
 */
public final class EltwiseBackwardRef {
    private EltwiseBackwardRef() {}

    public static void activation(Tensor x, Activation act, Tensor dy, Tensor dx) {
        Checks.sameShape(act + " backward", x, dy);
        Checks.sameShape(act + " backward", x, dx);
        MemorySegment xs = x.segment(), dys = dy.segment(), dxs = dx.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            double d = derivative(act, xs.getAtIndex(FLOAT, i));
            // A blocked gradient is +0 whatever dy is (no −0 or NaN leaking through a closed gate).
            dxs.setAtIndex(FLOAT, i, d == 0 ? 0f : (float) (dys.getAtIndex(FLOAT, i) * d));
        }
    }

    /** f'(x) for the activation's scalar definition {@link Activation#apply}. */
    public static double derivative(Activation act, float x) {
        return switch (act.kind()) {
            case IDENTITY -> 1;
            case RELU -> x > 0 ? 1 : 0;
            case CLIP -> x > act.min() && x < act.max() ? 1 : 0;
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-(double) x));
                yield s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case HARD_SIGMOID -> {
                double v = (double) act.alpha() * x + act.beta();
                yield v > 0 && v < 1 ? act.alpha() : 0;
            }
            case HARD_SWISH -> {
                double v = (double) act.alpha() * x + act.beta();
                yield v <= 0 ? 0 : v >= 1 ? 1 : v + act.alpha() * (double) x;
            }
        };
    }

    /** {@code out = a · b} element-wise (dropout's backward: the gradient times the saved mask). */
    public static void multiply(Tensor a, Tensor b, Tensor out) {
        Checks.sameShape("multiply", a, b);
        Checks.sameShape("multiply", a, out);
        MemorySegment as = a.segment(), bs = b.segment(), ys = out.segment();
        for (long i = 0, n = a.size(); i < n; i++) {
            ys.setAtIndex(FLOAT, i, as.getAtIndex(FLOAT, i) * bs.getAtIndex(FLOAT, i));
        }
    }
}
