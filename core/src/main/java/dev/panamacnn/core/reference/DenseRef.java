package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference fully connected layer, the traditional neuron repeated: {@code y = x·Wᵀ + b}, i.e.
 * {@code y[n, o] = b[o] + Σ_f w[o, f] · x[n, f]}. x is {@code [N, F]}, W is {@code [O, F]}
 * (PyTorch {@code nn.Linear} layout), b is {@code [O]} or null.
 */
public final class DenseRef {
    private DenseRef() {}

    public static Tensor linear(Tensor x, Tensor w, Tensor bias, Arena arena) {
        Checks.rank("linear", "input", x, 2, "[N, F]");
        Checks.rank("linear", "weight", w, 2, "[O, F]");
        Tensor out = Tensor.allocate(arena, Shape.of(x.dim(0), w.dim(0)));
        linear(x, w, bias, out);
        return out;
    }

    public static void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        Checks.rank("linear", "input", x, 2, "[N, F]");
        Checks.rank("linear", "weight", w, 2, "[O, F]");
        int n = x.dim(0), f = x.dim(1), o = w.dim(0);
        Checks.shape("linear", "weight", w, Shape.of(o, f));
        Checks.shape("linear", "output", out, Shape.of(n, o));
        if (bias != null) {
            Checks.shape("linear", "bias", bias, Shape.of(o));
        }
        MemorySegment xs = x.segment(), ws = w.segment(), ys = out.segment();
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < o; k++) {
                double acc = bias == null ? 0 : bias.getFlat(k);
                for (int i = 0; i < f; i++) {
                    acc += (double) xs.getAtIndex(FLOAT, (long) b * f + i) * ws.getAtIndex(FLOAT, (long) k * f + i);
                }
                ys.setAtIndex(FLOAT, (long) b * o + k, (float) acc);
            }
        }
    }
}
