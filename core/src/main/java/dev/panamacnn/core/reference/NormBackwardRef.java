package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Reference gradient of training-mode batch-norm ({@link NormRef#batchNormTraining}), where μ
 * and σ² are the batch's own statistics and so depend on x. With {@code x̂ = (x − μ)·invStd} and
 * m values per channel:
 * <pre>
 * ∂L/∂β = Σ dy        ∂L/∂γ = Σ dy·x̂
 * ∂L/∂x = γ·invStd · (dy − ∂L/∂β / m − x̂ · ∂L/∂γ / m)
 * </pre>
 * {@code mean} and {@code invStd} are the {@code [C]} values the forward saved. Parameter
 * gradients are added to {@code dgamma}/{@code dbeta}; {@code dx} (nullable) is overwritten.
 */
public final class NormBackwardRef {
    private NormBackwardRef() {}

    public static void batchNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor invStd, Tensor dy,
                                         Tensor dx, Tensor dgamma, Tensor dbeta) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchNormBackward: input must be [N, C] or [N, C, H, W], got "
                    + x.shape());
        }
        int c = x.dim(1), n = x.dim(0);
        Shape channels = Shape.of(c);
        Checks.shape("batchNormBackward", "output gradient", dy, x.shape());
        if (dx != null) Checks.shape("batchNormBackward", "input gradient", dx, x.shape());
        for (Tensor t : new Tensor[] {gamma, mean, invStd, dgamma, dbeta}) {
            Checks.shape("batchNormBackward", "per-channel vector", t, channels);
        }
        long inner = x.shape().sizeFrom(2);
        long m = n * inner;
        MemorySegment xs = x.segment(), dys = dy.segment();
        for (int ch = 0; ch < c; ch++) {
            double mu = mean.getFlat(ch), is = invStd.getFlat(ch);
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    double d = dys.getAtIndex(FLOAT, base + k);
                    sumDy += d;
                    sumDyXhat += d * (xs.getAtIndex(FLOAT, base + k) - mu) * is;
                }
            }
            dbeta.setFlat(ch, (float) (dbeta.getFlat(ch) + sumDy));
            dgamma.setFlat(ch, (float) (dgamma.getFlat(ch) + sumDyXhat));
            if (dx == null) continue;
            MemorySegment dxs = dx.segment();
            double scale = gamma.getFlat(ch) * is;
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    double xhat = (xs.getAtIndex(FLOAT, base + k) - mu) * is;
                    double d = dys.getAtIndex(FLOAT, base + k);
                    dxs.setAtIndex(FLOAT, base + k, (float) (scale * (d - sumDy / m - xhat * sumDyXhat / m)));
                }
            }
        }
    }
}
