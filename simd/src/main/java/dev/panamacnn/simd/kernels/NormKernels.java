package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.LT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

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
        if (inner == 1) {
            affineAlongChannels(x, xOff, scale, scaleOff, shift, shiftOff, y, yOff, channels, lo, hi,
                    fromPlane, toPlane);
        } else {
            affinePlanes(x, xOff, scale, scaleOff, shift, shiftOff, y, yOff, channels, inner, lo, hi,
                    fromPlane, toPlane);
        }
    }

    /** {@code [N, C]}: element p is channel p mod C; runs of consecutive channels are vectors. */
    private static void affineAlongChannels(MemorySegment x, long xOff, MemorySegment scale,
                                            long scaleOff, MemorySegment shift, long shiftOff,
                                            MemorySegment y, long yOff, int channels, float lo,
                                            float hi, int from, int to) {
        for (int p = from; p < to; ) {
            int c = p % channels, run = Math.min(to - p, channels - c);
            affineRun(x, xOff + p, scale, scaleOff + c, shift, shiftOff + c, y, yOff + p, run, lo, hi);
            p += run;
        }
    }

    /**
     * {@code y[k] = clamp(x[k]·scale[k] + shift[k])} for {@code k < n}, all element offsets. A
     * method of its own: with the run loop around it, C2 kept re-speculating on the run lengths
     * of the property tests (profile-predicate traps) and settled in C1 code that allocates.
     */
    private static void affineRun(MemorySegment x, long xAt, MemorySegment scale, long sAt,
                                  MemorySegment shift, long hAt, MemorySegment y, long yAt, int n,
                                  float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        int k = 0;
        for (; k + L <= n; k += L) {
            FloatVector sc = FloatVector.fromMemorySegment(F, scale, (sAt + k) * 4, ORDER);
            FloatVector sh = FloatVector.fromMemorySegment(F, shift, (hAt + k) * 4, ORDER);
            FloatVector v = FloatVector.fromMemorySegment(F, x, (xAt + k) * 4, ORDER).fma(sc, sh);
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, (yAt + k) * 4, ORDER);
        }
        if (k == n) return;
        if (fits(scale, (sAt + k) * 4) && fits(shift, (hAt + k) * 4) && fits(x, (xAt + k) * 4)
                && fits(y, (yAt + k) * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, n - k);
            FloatVector sc = FloatVector.fromMemorySegment(F, scale, (sAt + k) * 4, ORDER, m);
            FloatVector sh = FloatVector.fromMemorySegment(F, shift, (hAt + k) * 4, ORDER, m);
            FloatVector v = FloatVector.fromMemorySegment(F, x, (xAt + k) * 4, ORDER, m).fma(sc, sh);
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, (yAt + k) * 4, ORDER, m);
            return;
        }
        Tails.affine(x, xAt * 4, scale, sAt * 4, shift, hAt * 4, y, yAt * 4, k, n, lo, hi);
    }

    /** Planes of {@code inner ≥ 2} floats, each with its channel's scale and shift broadcast. */
    private static void affinePlanes(MemorySegment x, long xOff, MemorySegment scale, long scaleOff,
                                     MemorySegment shift, long shiftOff, MemorySegment y, long yOff,
                                     int channels, int inner, float lo, float hi, int from, int to) {
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        int bound = F.loopBound(inner);
        for (int p = from; p < to; p++) {
            int c = p % channels;
            FloatVector sc = FloatVector.broadcast(F, scale.getAtIndex(JAVA_FLOAT, scaleOff + c));
            FloatVector sh = FloatVector.broadcast(F, shift.getAtIndex(JAVA_FLOAT, shiftOff + c));
            long xb = (xOff + (long) p * inner) * 4, yb = (yOff + (long) p * inner) * 4;
            int k = 0;
            for (; k < bound; k += L) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, xb + k * 4L, ORDER).fma(sc, sh);
                v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
                v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + k * 4L, ORDER);
            }
            if (k < inner && fits(x, xb + k * 4L) && fits(y, yb + k * 4L)) {
                VectorMask<Float> m = IOTA.compare(LT, inner - k);
                FloatVector v = FloatVector.fromMemorySegment(F, x, xb + k * 4L, ORDER, m).fma(sc, sh);
                v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
                v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + k * 4L, ORDER, m);
                continue;
            }
            Tails.scaleShift(x, xb, y, yb, k, inner, scale.getAtIndex(JAVA_FLOAT, scaleOff + c),
                    shift.getAtIndex(JAVA_FLOAT, shiftOff + c), lo, hi);
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
        trainingPlanes(x, xOff, gamma, gammaOff, beta, betaOff, runningMean, runningMeanOff,
                runningVar, runningVarOff, y, yOff, saveMean, saveMeanOff, saveInvStd, saveInvStdOff,
                batch, channels, inner, eps, momentum, fromChannel, toChannel);
    }

    /** {@code [N, C, inner ≥ 2]}: per channel, statistics then the normalisation, plane by plane. */
    private static void trainingPlanes(MemorySegment x, long xOff, MemorySegment gamma, long gammaOff,
                                       MemorySegment beta, long betaOff, MemorySegment runningMean,
                                       long runningMeanOff, MemorySegment runningVar, long runningVarOff,
                                       MemorySegment y, long yOff, MemorySegment saveMean, long saveMeanOff,
                                       MemorySegment saveInvStd, long saveInvStdOff, int batch,
                                       int channels, int inner, float eps, float momentum, int from,
                                       int to) {
        long m = (long) batch * inner;
        long stride = (long) channels * inner;
        for (int c = from; c < to; c++) {
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
            for (int b = 0; b < batch; b++) {
                long at = first + b * stride;
                scaleShift(x, xOff + at, y, yOff + at, inner, (float) sc, (float) sh);
            }
            updateRunning(runningMean, runningMeanOff + c, runningVar, runningVarOff + c, momentum,
                    mu, biasedVar, m);
            if (saveMean != null) saveMean.setAtIndex(JAVA_FLOAT, saveMeanOff + c, (float) mu);
            if (saveInvStd != null) saveInvStd.setAtIndex(JAVA_FLOAT, saveInvStdOff + c, (float) invStd);
        }
    }

    /*
     * [N, C]: L channels per vector, all in float; the last channels of the range (fewer than L)
     * take the reference's scalar loop in double, so no operation here is masked. Each block of
     * channels is done by two methods that both compute the block's mean and variance (two
     * passes over the N rows): rowStatistics updates the running statistics and the saved ones,
     * rowNormalise writes y. Computing the moments twice (identically, so both agree bit for bit)
     * avoids scratch memory; one method doing everything had ~33 vector operations, and C1 gave
     * up on it ("out of virtual registers"), which left it in tier-2 code that never reached C2
     * and ran the Java fallback of every vector operation. Masked operations cost C1 the most.
     */

    private static void trainingRows(MemorySegment x, long xOff, MemorySegment gamma, long gammaOff,
                                     MemorySegment beta, long betaOff, MemorySegment runningMean,
                                     long runningMeanOff, MemorySegment runningVar, long runningVarOff,
                                     MemorySegment y, long yOff, MemorySegment saveMean, long saveMeanOff,
                                     MemorySegment saveInvStd, long saveInvStdOff, int batch,
                                     int channels, float eps, float momentum, int from, int to) {
        int c = from;
        for (; c + L <= to; c += L) {
            rowStatistics(x, xOff, runningMean, runningMeanOff, runningVar, runningVarOff, saveMean,
                    saveMeanOff, saveInvStd, saveInvStdOff, batch, channels, eps, momentum, c);
            rowNormalise(x, xOff, gamma, gammaOff, beta, betaOff, y, yOff, batch, channels, eps, c);
        }
        for (; c < to; c++) { // fewer than L channels left: the reference's loop, in double
            long first = xOff + c, stride = channels;
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += x.getAtIndex(JAVA_FLOAT, first + b * stride);
            double mu = sum / batch, sq = 0;
            for (int b = 0; b < batch; b++) {
                double d = x.getAtIndex(JAVA_FLOAT, first + b * stride) - mu;
                sq += d * d;
            }
            double biasedVar = sq / batch, invStd = 1 / Math.sqrt(biasedVar + eps);
            double sc = gamma.getAtIndex(JAVA_FLOAT, gammaOff + c) * invStd;
            double sh = beta.getAtIndex(JAVA_FLOAT, betaOff + c) - mu * sc;
            for (int b = 0; b < batch; b++) {
                float v = x.getAtIndex(JAVA_FLOAT, first + b * stride);
                y.setAtIndex(JAVA_FLOAT, yOff + c + b * stride, (float) (v * sc + sh));
            }
            updateRunning(runningMean, runningMeanOff + c, runningVar, runningVarOff + c, momentum,
                    mu, biasedVar, batch);
            if (saveMean != null) saveMean.setAtIndex(JAVA_FLOAT, saveMeanOff + c, (float) mu);
            if (saveInvStd != null) saveInvStd.setAtIndex(JAVA_FLOAT, saveInvStdOff + c, (float) invStd);
        }
    }

    /** Running and saved statistics of channels {@code [c, c + L)}. */
    private static void rowStatistics(MemorySegment x, long xOff, MemorySegment runningMean,
                                      long runningMeanOff, MemorySegment runningVar, long runningVarOff,
                                      MemorySegment saveMean, long saveMeanOff, MemorySegment saveInvStd,
                                      long saveInvStdOff, int batch, int channels, float eps,
                                      float momentum, int c) {
        long xc = (xOff + c) * 4, row = (long) channels * 4; // bytes from one sample to the next
        FloatVector sum = FloatVector.zero(F);
        for (int b = 0; b < batch; b++) sum = sum.add(FloatVector.fromMemorySegment(F, x, xc + b * row, ORDER));
        FloatVector mu = sum.mul(1f / batch);
        FloatVector sq = FloatVector.zero(F);
        for (int b = 0; b < batch; b++) {
            FloatVector d = FloatVector.fromMemorySegment(F, x, xc + b * row, ORDER).sub(mu);
            sq = d.fma(d, sq);
        }
        FloatVector var = sq.mul(1f / batch);
        long rm = (runningMeanOff + c) * 4, rv = (runningVarOff + c) * 4;
        FloatVector.fromMemorySegment(F, runningMean, rm, ORDER).mul(1 - momentum)
                .add(mu.mul(momentum)).intoMemorySegment(runningMean, rm, ORDER);
        FloatVector.fromMemorySegment(F, runningVar, rv, ORDER).mul(1 - momentum)
                .add(var.mul(momentum * batch / (batch - 1))).intoMemorySegment(runningVar, rv, ORDER);
        if (saveMean != null) mu.intoMemorySegment(saveMean, (saveMeanOff + c) * 4, ORDER);
        if (saveInvStd != null) {
            FloatVector invStd = FloatVector.broadcast(F, 1f).div(var.add(eps).sqrt());
            invStd.intoMemorySegment(saveInvStd, (saveInvStdOff + c) * 4, ORDER);
        }
    }

    /** y for channels {@code [c, c + L)}: the same moments as rowStatistics, then one FMA. */
    private static void rowNormalise(MemorySegment x, long xOff, MemorySegment gamma, long gammaOff,
                                     MemorySegment beta, long betaOff, MemorySegment y, long yOff,
                                     int batch, int channels, float eps, int c) {
        long xc = (xOff + c) * 4, yc = (yOff + c) * 4, row = (long) channels * 4;
        FloatVector sum = FloatVector.zero(F);
        for (int b = 0; b < batch; b++) sum = sum.add(FloatVector.fromMemorySegment(F, x, xc + b * row, ORDER));
        FloatVector mu = sum.mul(1f / batch);
        FloatVector sq = FloatVector.zero(F);
        for (int b = 0; b < batch; b++) {
            FloatVector d = FloatVector.fromMemorySegment(F, x, xc + b * row, ORDER).sub(mu);
            sq = d.fma(d, sq);
        }
        FloatVector invStd = FloatVector.broadcast(F, 1f).div(sq.mul(1f / batch).add(eps).sqrt());
        FloatVector sc = FloatVector.fromMemorySegment(F, gamma, (gammaOff + c) * 4, ORDER).mul(invStd);
        FloatVector sh = mu.neg().fma(sc, FloatVector.fromMemorySegment(F, beta, (betaOff + c) * 4, ORDER));
        for (int b = 0; b < batch; b++) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xc + b * row, ORDER);
            v.fma(sc, sh).intoMemorySegment(y, yc + b * row, ORDER);
        }
    }

    /** The reference's running-statistics update for one channel, in double. */
    private static void updateRunning(MemorySegment runningMean, long rm, MemorySegment runningVar,
                                      long rv, float momentum, double mu, double biasedVar, long m) {
        runningMean.setAtIndex(JAVA_FLOAT, rm,
                (float) ((1 - momentum) * runningMean.getAtIndex(JAVA_FLOAT, rm) + momentum * mu));
        runningVar.setAtIndex(JAVA_FLOAT, rv, (float) ((1 - momentum) * runningVar.getAtIndex(JAVA_FLOAT, rv)
                + momentum * biasedVar * m / (m - 1)));
    }

    /** {@code y = x·sc + sh} over {@code n} floats (one FMA each), masked tail. */
    private static void scaleShift(MemorySegment x, long xAt, MemorySegment y, long yAt, int n,
                                   float sc, float sh) {
        FloatVector vsc = FloatVector.broadcast(F, sc), vsh = FloatVector.broadcast(F, sh);
        long xb = xAt * 4, yb = yAt * 4;
        int bound = F.loopBound(n), k = 0;
        for (; k < bound; k += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + k * 4L, ORDER);
            v.fma(vsc, vsh).intoMemorySegment(y, yb + k * 4L, ORDER);
        }
        if (k < n && fits(x, xb + k * 4L) && fits(y, yb + k * 4L)) {
            VectorMask<Float> msk = IOTA.compare(LT, n - k);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + k * 4L, ORDER, msk);
            v.fma(vsc, vsh).intoMemorySegment(y, yb + k * 4L, ORDER, msk);
            return;
        }
        Tails.scaleShift(x, xb, y, yb, k, n, sc, sh, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** Σ x over {@code n} floats: float vectors, two accumulators, masked tail; reduced in double. */
    private static double planeSum(MemorySegment x, long at, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        long base = at * 4;
        int bound = F.loopBound(n), k = 0;
        for (; k + 2 * L <= bound; k += 2 * L) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
            a1 = a1.add(FloatVector.fromMemorySegment(F, x, base + (k + L) * 4L, ORDER));
        }
        for (; k < bound; k += L) a0 = a0.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
        if (k < n && fits(x, base + k * 4L)) {
            a1 = a1.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER, IOTA.compare(LT, n - k)));
            k = n;
        }
        FloatVector t = a0.add(a1);
        for (VectorShuffle<Float> s : Vec.FOLDS) t = t.add(t.rearrange(s)); // same order in every JIT tier
        double sum = t.lane(0);
        return k < n ? sum + Tails.sum(x, base, k, n) : sum;
    }

    /** Σ (x − mu)² over {@code n} floats, as {@link #planeSum}. */
    private static double planeSquaredDeviation(MemorySegment x, long at, int n, float mu) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        long base = at * 4;
        int bound = F.loopBound(n), k = 0;
        for (; k + 2 * L <= bound; k += 2 * L) {
            FloatVector d0 = FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER).sub(mu);
            FloatVector d1 = FloatVector.fromMemorySegment(F, x, base + (k + L) * 4L, ORDER).sub(mu);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        for (; k < bound; k += L) {
            FloatVector d = FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER).sub(mu);
            a0 = d.fma(d, a0);
        }
        if (k < n && fits(x, base + k * 4L)) {
            VectorMask<Float> msk = IOTA.compare(LT, n - k);
            // Masked-off lanes load 0; zero their deviation too.
            FloatVector d = FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER, msk).sub(mu);
            d = d.blend(0f, msk.not());
            a1 = d.fma(d, a1);
            k = n;
        }
        FloatVector t = a0.add(a1);
        for (VectorShuffle<Float> s : Vec.FOLDS) t = t.add(t.rearrange(s)); // same order in every JIT tier
        double sq = t.lane(0);
        return k < n ? sq + Tails.squaredDeviation(x, base, k, n, mu) : sq;
    }
}
