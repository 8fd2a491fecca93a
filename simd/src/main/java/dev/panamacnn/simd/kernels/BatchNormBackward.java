package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Training-mode batch-norm gradient for channels [from, to) of x [N, C, inner], with the batch
 * statistics μ and 1/σ that the forward pass saved. Per channel, two passes over its N planes:
 * Σdy and Σdy·x̂ (x̂ = (x − μ)/σ) in float vectors, lanes folded by {@link Vec#FOLDS}, planes
 * added in double; then {@code dx = γ/σ · (dy − Σdy/m − x̂·Σdy·x̂/m)}, m = N·inner. dγ += Σdy·x̂ and
 * dβ += Σdy. Channels are independent, so any split across threads gives the same bits.
 */
public final class BatchNormBackward {
    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT;

    private BatchNormBackward() {}

    /** Channels [from, to) of x [n, c, inner]; dx may be null; dγ and dβ are accumulated into. */
    public static void run(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment gamma,
                           MemorySegment mean, MemorySegment invStd, MemorySegment dgamma, MemorySegment dbeta,
                           int n, int c, long inner, int from, int to) {
        long m = n * inner, bound = inner - inner % L;
        for (int ch = from; ch < to; ch++) {
            float mu = mean.getAtIndex(FL, ch), is = invStd.getAtIndex(FL, ch);
            double sumDy = 0, sumDyXc = 0; // Σdy, Σdy·(x − μ)
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                FloatVector sd = FloatVector.zero(F), sx = FloatVector.zero(F);
                long k = 0;
                for (; k < bound; k += L) {
                    FloatVector d = FloatVector.fromMemorySegment(F, dy, (base + k) * 4, ORDER);
                    FloatVector xc = FloatVector.fromMemorySegment(F, x, (base + k) * 4, ORDER).sub(mu);
                    sd = sd.add(d);
                    sx = d.fma(xc, sx);
                }
                for (VectorShuffle<Float> s : Vec.FOLDS) {
                    sd = sd.add(sd.rearrange(s));
                    sx = sx.add(sx.rearrange(s));
                }
                double pd = sd.lane(0), px = sx.lane(0);
                for (; k < inner; k++) {
                    float d = dy.getAtIndex(FL, base + k);
                    pd += d;
                    px += (double) d * (x.getAtIndex(FL, base + k) - mu);
                }
                sumDy += pd;
                sumDyXc += px;
            }
            double sumDyXhat = sumDyXc * is;
            dbeta.setAtIndex(FL, ch, (float) (dbeta.getAtIndex(FL, ch) + sumDy));
            dgamma.setAtIndex(FL, ch, (float) (dgamma.getAtIndex(FL, ch) + sumDyXhat));
            if (dx == null) continue;
            float scale = (float) (gamma.getAtIndex(FL, ch) * (double) is);
            float meanDy = (float) (sumDy / m), xcCoef = (float) (sumDyXhat / m * is);
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                long k = 0;
                for (; k < bound; k += L) {
                    FloatVector d = FloatVector.fromMemorySegment(F, dy, (base + k) * 4, ORDER);
                    FloatVector xc = FloatVector.fromMemorySegment(F, x, (base + k) * 4, ORDER).sub(mu);
                    d.sub(meanDy).sub(xc.mul(xcCoef)).mul(scale).intoMemorySegment(dx, (base + k) * 4, ORDER);
                }
                for (; k < inner; k++) {
                    float d = dy.getAtIndex(FL, base + k), xc = x.getAtIndex(FL, base + k) - mu;
                    dx.setAtIndex(FL, base + k, (d - meanDy - xc * xcCoef) * scale);
                }
            }
        }
    }
}
