package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference element-wise ops: activations (ReLU, ReLU6/clip, sigmoid, tanh; see
 * {@link Activation#apply(float)}) and addition (the skip connection of a residual block).
 * Output may alias an input (in-place) since each element is read before it is written.
 */
public final class EltwiseRef {
    private EltwiseRef() {}

    public static Tensor activation(Tensor x, Activation act, Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        activation(x, act, out);
        return out;
    }

    public static void activation(Tensor x, Activation act, Tensor out) {
        Checks.sameShape(act.toString(), x, out);
        MemorySegment xs = x.segment(), ys = out.segment();
        for (long i = 0, n = x.size(); i < n; i++) {
            ys.setAtIndex(FLOAT, i, act.apply(xs.getAtIndex(FLOAT, i)));
        }
    }

    public static Tensor relu(Tensor x, Arena arena) {
        return activation(x, Activation.RELU, arena);
    }

    /** y = a + b, element-wise; shapes must be equal. */
    public static Tensor add(Tensor a, Tensor b, Arena arena) {
        Checks.sameShape("add", a, b);
        Tensor out = Tensor.allocate(arena, a.shape());
        add(a, b, out);
        return out;
    }

    public static void add(Tensor a, Tensor b, Tensor out) {
        Checks.sameShape("add", a, b);
        Checks.sameShape("add", a, out);
        MemorySegment as = a.segment(), bs = b.segment(), ys = out.segment();
        for (long i = 0, n = a.size(); i < n; i++) {
            ys.setAtIndex(FLOAT, i, as.getAtIndex(FLOAT, i) + bs.getAtIndex(FLOAT, i));
        }
    }
}
