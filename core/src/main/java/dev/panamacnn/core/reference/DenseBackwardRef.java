package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Reference gradients of {@link DenseRef#linear} ({@code y = x·Wᵀ + b}) for {@code dy [N, O]}:
 * {@code ∂L/∂W = dyᵀ·x [O, F]}, {@code ∂L/∂b = Σ_n dy[n, :]}, {@code ∂L/∂x = dy·W [N, F]}.
 * Sums in double; parameter gradients are added to {@code dw}/{@code db}, {@code dx} is
 * overwritten; {@code dx} and {@code db} may be null.
 */
public final class DenseBackwardRef {
    private DenseBackwardRef() {}

    public static void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        Checks.rank("linearBackward", "input", x, 2, "[N, F]");
        Checks.rank("linearBackward", "weight", w, 2, "[O, F]");
        int n = x.dim(0), f = x.dim(1), o = w.dim(0);
        Checks.shape("linearBackward", "weight", w, Shape.of(o, f));
        Checks.shape("linearBackward", "output gradient", dy, Shape.of(n, o));
        Checks.shape("linearBackward", "weight gradient", dw, w.shape());
        if (dx != null) Checks.shape("linearBackward", "input gradient", dx, x.shape());
        if (db != null) Checks.shape("linearBackward", "bias gradient", db, Shape.of(o));
        MemorySegment xs = x.segment(), ws = w.segment(), dys = dy.segment(), dws = dw.segment();
        for (int k = 0; k < o; k++) {
            for (int i = 0; i < f; i++) {
                double acc = dws.getAtIndex(FLOAT, (long) k * f + i);
                for (int b = 0; b < n; b++) {
                    acc += (double) dys.getAtIndex(FLOAT, (long) b * o + k) * xs.getAtIndex(FLOAT, (long) b * f + i);
                }
                dws.setAtIndex(FLOAT, (long) k * f + i, (float) acc);
            }
            if (db != null) {
                double acc = db.getFlat(k);
                for (int b = 0; b < n; b++) acc += dys.getAtIndex(FLOAT, (long) b * o + k);
                db.setFlat(k, (float) acc);
            }
        }
        if (dx != null) {
            MemorySegment dxs = dx.segment();
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < f; i++) {
                    double acc = 0;
                    for (int k = 0; k < o; k++) {
                        acc += (double) dys.getAtIndex(FLOAT, (long) b * o + k) * ws.getAtIndex(FLOAT, (long) k * f + i);
                    }
                    dxs.setAtIndex(FLOAT, (long) b * f + i, (float) acc);
                }
            }
        }
    }
}
