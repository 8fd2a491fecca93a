package dev.panamacnn.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Training-mode batch-norm gradient for channels [from, to) of x [N, C, inner], with the batch
 * statistics μ and 1/σ that the forward pass saved. Per channel, two passes over its N planes:
 * Σdy and Σdy·x̂ (x̂ = (x − μ)/σ) in float vectors, lanes folded in a fixed order and the planes
 * added in double; then {@code dx = γ/σ · (dy − Σdy/m − x̂·Σdy·x̂/m)}, m = N·inner. dγ += Σdy·x̂ and
 * dβ += Σdy. Channels are independent, so any split across threads gives the same bits.
 */
final class BatchNormBackwardKernel {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Pairwise lane fold (same order in every JIT tier; see kernels.Vec.FOLDS). */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private BatchNormBackwardKernel() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] f = new VectorShuffle[steps];
        for (int i = 0, half = L / 2; i < steps; i++, half /= 2) {
            int h = half;
            f[i] = VectorShuffle.fromOp(S, lane -> lane ^ h);
        }
        return f;
    }

    static void run(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment gamma, MemorySegment mean,
                    MemorySegment invStd, MemorySegment dgamma, MemorySegment dbeta,
                    int n, int c, long inner, int from, int to) {
        long m = n * inner, bound = inner - inner % L;
        for (int ch = from; ch < to; ch++) {
            float mu = mean.getAtIndex(F, ch), is = invStd.getAtIndex(F, ch);
            double sumDy = 0, sumDyXc = 0; // Σdy, Σdy·(x − μ)
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                FloatVector sd = FloatVector.zero(S), sx = FloatVector.zero(S);
                long k = 0;
                for (; k < bound; k += L) {
                    FloatVector d = FloatVector.fromMemorySegment(S, dy, (base + k) * 4, LE);
                    FloatVector xc = FloatVector.fromMemorySegment(S, x, (base + k) * 4, LE).sub(mu);
                    sd = sd.add(d);
                    sx = d.fma(xc, sx);
                }
                for (VectorShuffle<Float> s : FOLDS) {
                    sd = sd.add(sd.rearrange(s));
                    sx = sx.add(sx.rearrange(s));
                }
                double pd = sd.lane(0), px = sx.lane(0);
                for (; k < inner; k++) {
                    float d = dy.getAtIndex(F, base + k);
                    pd += d;
                    px += (double) d * (x.getAtIndex(F, base + k) - mu);
                }
                sumDy += pd;
                sumDyXc += px;
            }
            double sumDyXhat = sumDyXc * is;
            dbeta.setAtIndex(F, ch, (float) (dbeta.getAtIndex(F, ch) + sumDy));
            dgamma.setAtIndex(F, ch, (float) (dgamma.getAtIndex(F, ch) + sumDyXhat));
            if (dx == null) continue;
            float scale = (float) (gamma.getAtIndex(F, ch) * (double) is);
            float meanDy = (float) (sumDy / m), xcCoef = (float) (sumDyXhat / m * is);
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                long k = 0;
                for (; k < bound; k += L) {
                    FloatVector d = FloatVector.fromMemorySegment(S, dy, (base + k) * 4, LE);
                    FloatVector xc = FloatVector.fromMemorySegment(S, x, (base + k) * 4, LE).sub(mu);
                    d.sub(meanDy).sub(xc.mul(xcCoef)).mul(scale).intoMemorySegment(dx, (base + k) * 4, LE);
                }
                for (; k < inner; k++) {
                    float d = dy.getAtIndex(F, base + k), xc = x.getAtIndex(F, base + k) - mu;
                    dx.setAtIndex(F, base + k, (d - meanDy - xc * xcCoef) * scale);
                }
            }
        }
    }
}
