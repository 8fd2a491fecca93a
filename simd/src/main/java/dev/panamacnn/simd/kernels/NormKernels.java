package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.L;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-channel normalisation over {@code [N, C, inner]} data ({@code inner} = H·W, or 1 for
 * {@code [N, C]}), channels on axis 1, as {@link dev.panamacnn.core.reference.NormRef}:
 * an inference affine {@code y = clamp(x·scale[c] + shift[c])} (batch norm that could not be
 * folded into a convolution) and the training-mode batch-norm forward.
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats). Plane p = n·C + c is the
 * {@code inner} floats at {@code xOff + p·inner} (and likewise for y); per-channel vectors hold
 * {@code C} floats at their offset. {@code y} may be {@code x} at the same offset (in place);
 * other overlaps are not allowed. Nothing is allocated.
 */
public final class NormKernels {
    private NormKernels() {}

    /**
     * Folds inference batch-norm parameters into {@code scale = γ / sqrt(var + ε)} and
     * {@code shift = β − mean·scale}, computed in double as the reference does, for
     * {@link #affine}. Runs once per plan, not per inference.
     */
    public static void inferenceScaleShift(MemorySegment gamma, long gammaOff, MemorySegment beta,
                                           long betaOff, MemorySegment mean, long meanOff,
                                           MemorySegment var, long varOff, float eps,
                                           MemorySegment scale, long scaleOff, MemorySegment shift,
                                           long shiftOff, int channels) {
        String op = "inferenceScaleShift";
        Args.positive(op, "channels", channels);
        Args.fits(op, "gamma", gamma, gammaOff, channels);
        Args.fits(op, "beta", beta, betaOff, channels);
        Args.fits(op, "mean", mean, meanOff, channels);
        Args.fits(op, "var", var, varOff, channels);
        Args.fits(op, "scale", scale, scaleOff, channels);
        Args.fits(op, "shift", shift, shiftOff, channels);
        for (int c = 0; c < channels; c++) {
            double sc = gamma.getAtIndex(JAVA_FLOAT, gammaOff + c)
                    / Math.sqrt((double) var.getAtIndex(JAVA_FLOAT, varOff + c) + eps);
            double sh = beta.getAtIndex(JAVA_FLOAT, betaOff + c) - mean.getAtIndex(JAVA_FLOAT, meanOff + c) * sc;
            scale.setAtIndex(JAVA_FLOAT, scaleOff + c, (float) sc);
            shift.setAtIndex(JAVA_FLOAT, shiftOff + c, (float) sh);
        }
    }

    /**
     * {@code y = min(max(x·scale[c] + shift[c], lo), hi)} (one FMA) for planes
     * {@code [fromPlane, toPlane)}. With {@code inner ≥ 2} each plane is vectorised with its
     * channel's scale broadcast; with {@code inner == 1} ({@code [N, C]}) consecutive channels
     * are contiguous, so vectors run along the channels with scale and shift loaded as vectors.
     */
    public static void affine(MemorySegment x, long xOff, MemorySegment scale, long scaleOff,
                              MemorySegment shift, long shiftOff, MemorySegment y, long yOff,
                              int channels, int inner, float lo, float hi, int fromPlane, int toPlane) {
        String op = "affine";
        Args.positive(op, "channels", channels);
        Args.positive(op, "inner size", inner);
        Args.clamp(op, lo, hi);
        Args.range(op, "plane", fromPlane, toPlane);
        Args.fits(op, "input", x, xOff, (long) toPlane * inner);
        Args.fits(op, "output", y, yOff, (long) toPlane * inner);
        Args.fits(op, "scale", scale, scaleOff, channels);
        Args.fits(op, "shift", shift, shiftOff, channels);
        FloatVector vlo = FloatVector.broadcast(Vec.F, lo), vhi = FloatVector.broadcast(Vec.F, hi);
        if (inner == 1) {
            for (int p = fromPlane; p < toPlane; ) {
                int c = p % channels, run = Math.min(toPlane - p, channels - c);
                for (int k = 0; k < run; k += L) {
                    VectorMask<Float> m = Vec.firstLanes(run - k);
                    FloatVector v = Vec.load(x, xOff + p + k, m)
                            .fma(Vec.load(scale, scaleOff + c + k, m), Vec.load(shift, shiftOff + c + k, m));
                    Vec.store(v.max(vlo).min(vhi), y, yOff + p + k, m);
                }
                p += run;
            }
            return;
        }
        int bound = Vec.F.loopBound(inner);
        for (int p = fromPlane; p < toPlane; p++) {
            int c = p % channels;
            FloatVector sc = FloatVector.broadcast(Vec.F, scale.getAtIndex(JAVA_FLOAT, scaleOff + c));
            FloatVector sh = FloatVector.broadcast(Vec.F, shift.getAtIndex(JAVA_FLOAT, shiftOff + c));
            long xb = xOff + (long) p * inner, yb = yOff + (long) p * inner;
            int k = 0;
            for (; k < bound; k += L) Vec.store(Vec.load(x, xb + k).fma(sc, sh).max(vlo).min(vhi), y, yb + k);
            if (k < inner) {
                VectorMask<Float> m = Vec.firstLanes(inner - k);
                Vec.store(Vec.load(x, xb + k, m).fma(sc, sh).max(vlo).min(vhi), y, yb + k, m);
            }
        }
    }

    /**
     * Training-mode batch norm for channels {@code [fromChannel, toChannel)} (the independent
     * dimension here: a channel's statistics span the whole batch). Per channel: μ = mean,
     * σ² = biased variance over the N·inner values; {@code y = γ(x − μ)/sqrt(σ² + ε) + β};
     * {@code runningMean ← (1 − momentum)·runningMean + momentum·μ},
     * {@code runningVar ← (1 − momentum)·runningVar + momentum·σ²·m/(m − 1)};
     * {@code saveMean}/{@code saveInvStd} (may be null) receive μ and 1/sqrt(σ² + ε).
     *
     * <p>With {@code inner ≥ 2} each plane is summed in float vectors and the plane sums are
     * added in double; the variance is the two-pass Σ(x − μ)², corrected exactly for μ rounded to
     * float. With {@code inner == 1} ({@code [N, C]}) vectors run across L channels at a time,
     * all in float.
     */
    public static void batchNormTraining(MemorySegment x, long xOff, MemorySegment gamma, long gammaOff,
                                         MemorySegment beta, long betaOff,
                                         MemorySegment runningMean, long runningMeanOff,
                                         MemorySegment runningVar, long runningVarOff,
                                         MemorySegment y, long yOff,
                                         MemorySegment saveMean, long saveMeanOff,
                                         MemorySegment saveInvStd, long saveInvStdOff,
                                         int batch, int channels, int inner, float eps, float momentum,
                                         int fromChannel, int toChannel) {
        String op = "batchNormTraining";
        Args.positive(op, "batch", batch);
        Args.positive(op, "channels", channels);
        Args.positive(op, "inner size", inner);
        long m = (long) batch * inner;
        if (m <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when"
                    + " training, got batch " + batch + " × inner " + inner);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(op + ": momentum expected in [0, 1], got " + momentum);
        }
        Args.range(op, "channel", fromChannel, toChannel);
        if (toChannel > channels) {
            throw new IllegalArgumentException(op + ": channel range end expected <= " + channels
                    + ", got " + toChannel);
        }
        long total = m * channels;
        Args.fits(op, "input", x, xOff, total);
        Args.fits(op, "output", y, yOff, total);
        Args.fits(op, "gamma", gamma, gammaOff, channels);
        Args.fits(op, "beta", beta, betaOff, channels);
        Args.fits(op, "runningMean", runningMean, runningMeanOff, channels);
        Args.fits(op, "runningVar", runningVar, runningVarOff, channels);
        if (saveMean != null) Args.fits(op, "saveMean", saveMean, saveMeanOff, channels);
        if (saveInvStd != null) Args.fits(op, "saveInvStd", saveInvStd, saveInvStdOff, channels);
        if (inner == 1) {
            trainingRows(x, xOff, gamma, gammaOff, beta, betaOff, runningMean, runningMeanOff,
                    runningVar, runningVarOff, y, yOff, saveMean, saveMeanOff, saveInvStd,
                    saveInvStdOff, batch, channels, eps, momentum, fromChannel, toChannel);
            return;
        }
        long stride = (long) channels * inner;
        for (int c = fromChannel; c < toChannel; c++) {
            long first = (long) c * inner;
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += planeSum(x, xOff + first + b * stride, inner);
            double mu = sum / m;
            float muF = (float) mu;
            double sq = 0;
            for (int b = 0; b < batch; b++) sq += planeSquaredDeviation(x, xOff + first + b * stride, inner, muF);
            // Σ(x − μf)² = Σ(x − μ)² + m(μ − μf)²: remove the part due to rounding μ.
            double d = mu - muF;
            double biasedVar = Math.max(0, sq / m - d * d);
            double invStd = 1 / Math.sqrt(biasedVar + eps);
            double sc = gamma.getAtIndex(JAVA_FLOAT, gammaOff + c) * invStd;
            double sh = beta.getAtIndex(JAVA_FLOAT, betaOff + c) - mu * sc;
            FloatVector vsc = FloatVector.broadcast(Vec.F, (float) sc), vsh = FloatVector.broadcast(Vec.F, (float) sh);
            int bound = Vec.F.loopBound(inner);
            for (int b = 0; b < batch; b++) {
                long xb = xOff + first + b * stride, yb = yOff + first + b * stride;
                int k = 0;
                for (; k < bound; k += L) Vec.store(Vec.load(x, xb + k).fma(vsc, vsh), y, yb + k);
                if (k < inner) {
                    VectorMask<Float> msk = Vec.firstLanes(inner - k);
                    Vec.store(Vec.load(x, xb + k, msk).fma(vsc, vsh), y, yb + k, msk);
                }
            }
            long rm = runningMeanOff + c, rv = runningVarOff + c;
            runningMean.setAtIndex(JAVA_FLOAT, rm,
                    (float) ((1 - momentum) * runningMean.getAtIndex(JAVA_FLOAT, rm) + momentum * mu));
            runningVar.setAtIndex(JAVA_FLOAT, rv, (float) ((1 - momentum) * runningVar.getAtIndex(JAVA_FLOAT, rv)
                    + momentum * biasedVar * m / (m - 1)));
            if (saveMean != null) saveMean.setAtIndex(JAVA_FLOAT, saveMeanOff + c, (float) mu);
            if (saveInvStd != null) saveInvStd.setAtIndex(JAVA_FLOAT, saveInvStdOff + c, (float) invStd);
        }
    }

    /** {@code [N, C]}: L channels per vector, masked at the end of the range. */
    private static void trainingRows(MemorySegment x, long xOff, MemorySegment gamma, long gammaOff,
                                     MemorySegment beta, long betaOff, MemorySegment runningMean,
                                     long runningMeanOff, MemorySegment runningVar, long runningVarOff,
                                     MemorySegment y, long yOff, MemorySegment saveMean, long saveMeanOff,
                                     MemorySegment saveInvStd, long saveInvStdOff, int batch,
                                     int channels, float eps, float momentum, int from, int to) {
        float invM = 1f / batch;
        float unbias = (float) batch / (batch - 1);
        FloatVector one = FloatVector.broadcast(Vec.F, 1f);
        for (int c = from; c < to; c += L) {
            VectorMask<Float> msk = Vec.firstLanes(to - c);
            FloatVector sum = FloatVector.zero(Vec.F);
            for (int b = 0; b < batch; b++) sum = sum.add(Vec.load(x, xOff + (long) b * channels + c, msk));
            FloatVector mu = sum.mul(invM);
            FloatVector sq = FloatVector.zero(Vec.F);
            for (int b = 0; b < batch; b++) {
                FloatVector d = Vec.load(x, xOff + (long) b * channels + c, msk).sub(mu);
                sq = d.fma(d, sq);
            }
            FloatVector var = sq.mul(invM);
            FloatVector invStd = one.div(var.add(eps).sqrt());
            FloatVector sc = Vec.load(gamma, gammaOff + c, msk).mul(invStd);
            FloatVector sh = mu.neg().fma(sc, Vec.load(beta, betaOff + c, msk));
            for (int b = 0; b < batch; b++) {
                long at = (long) b * channels + c;
                Vec.store(Vec.load(x, xOff + at, msk).fma(sc, sh), y, yOff + at, msk);
            }
            FloatVector rm = Vec.load(runningMean, runningMeanOff + c, msk);
            Vec.store(rm.mul(1 - momentum).add(mu.mul(momentum)), runningMean, runningMeanOff + c, msk);
            FloatVector rv = Vec.load(runningVar, runningVarOff + c, msk);
            Vec.store(rv.mul(1 - momentum).add(var.mul(unbias * momentum)), runningVar, runningVarOff + c, msk);
            if (saveMean != null) Vec.store(mu, saveMean, saveMeanOff + c, msk);
            if (saveInvStd != null) Vec.store(invStd, saveInvStd, saveInvStdOff + c, msk);
        }
    }

    /** Σ x over {@code n} floats: float vectors, two accumulators, masked tail; reduced in double. */
    private static double planeSum(MemorySegment x, long at, int n) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = FloatVector.zero(Vec.F);
        int bound = Vec.F.loopBound(n), k = 0;
        for (; k + 2 * L <= bound; k += 2 * L) {
            a0 = a0.add(Vec.load(x, at + k));
            a1 = a1.add(Vec.load(x, at + k + L));
        }
        for (; k < bound; k += L) a0 = a0.add(Vec.load(x, at + k));
        if (k < n) a1 = a1.add(Vec.load(x, at + k, Vec.firstLanes(n - k)));
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** Σ (x − mu)² over {@code n} floats, as {@link #planeSum}. */
    private static double planeSquaredDeviation(MemorySegment x, long at, int n, float mu) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = FloatVector.zero(Vec.F);
        int bound = Vec.F.loopBound(n), k = 0;
        for (; k + 2 * L <= bound; k += 2 * L) {
            FloatVector d0 = Vec.load(x, at + k).sub(mu), d1 = Vec.load(x, at + k + L).sub(mu);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        for (; k < bound; k += L) {
            FloatVector d = Vec.load(x, at + k).sub(mu);
            a0 = d.fma(d, a0);
        }
        if (k < n) {
            VectorMask<Float> msk = Vec.firstLanes(n - k);
            // Masked-off lanes load 0; zero their deviation too.
            FloatVector d = Vec.load(x, at + k, msk).sub(mu).blend(0f, msk.not());
            a1 = d.fma(d, a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }
}
