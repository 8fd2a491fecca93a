package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.testing.Tolerance;

/**
 * The tolerance each op is held to against PyTorch (documented in
 * {@code tests/src/test/resources/golden/README.md}). The reference kernels accumulate in
 * double and round once; PyTorch accumulates in float32, so the expected error is PyTorch's and
 * grows with the reduction length {@code k}: {@link Tolerance#forReduction} with a term scale
 * taken from the data. Pure data movement and selection (im2col, max, ReLU, clip, add) must be
 * bit-exact.
 */
final class GoldenTolerances {
    private GoldenTolerances() {}

    /** im2col, max pooling, ReLU/ReLU6/clip and add: one correctly rounded result or a copy. */
    static Tolerance exact() {
        return Tolerance.EXACT;
    }

    /** Sigmoid and tanh: a few ulps, as libm/SLEEF and Java's StrictMath may differ in the last bits. */
    static Tolerance transcendental() {
        return Tolerance.elementwise();
    }

    /** conv2d and linear: k = C/groups·kH·kW (or F) products of typical size rms(x)·rms(w). */
    static Tolerance dot(long k, Tensor x, Tensor w) {
        return Tolerance.forReduction(k, rms(x) * rms(w));
    }

    /** Sums of k input values (avg pooling, col2im overlaps, means). */
    static Tolerance sum(long k, Tensor x) {
        return Tolerance.forReduction(k, rms(x));
    }

    /**
     * Softmax along an axis of length k: exp is within a few ulps and the normaliser is a sum of
     * k positive terms, so the bound is relative: 8·ε·√k (no absolute part).
     */
    static Tolerance softmax(long k) {
        return Tolerance.forReduction(k, 0);
    }

    /**
     * Batch-norm inference: about four rounded operations per element, each off by ε times its
     * intermediate: (|x| + |μ|)·|γ|/σ for the scaled difference, plus |β|.
     */
    static Tolerance batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor mean,
                                        Tensor var, float eps) {
        float[] g = gamma.toArray(), b = beta.toArray(), m = mean.toArray(), v = var.toArray();
        double rmsX = rms(x), scale = 0;
        for (int c = 0; c < g.length; c++) {
            double s = Math.abs(g[c]) / Math.sqrt(v[c] + eps);
            scale = Math.max(scale, s * (rmsX + Math.abs(m[c])) + Math.abs(b[c]));
        }
        return Tolerance.forReduction(4, scale);
    }

    /**
     * Batch-norm training output: the batch mean and variance are sums over m = N·H·W values;
     * an error δμ moves y by |γ|·δμ/σ, so the term scale is max over channels of
     * |γ|·rms(x_c)/σ_c + |β|.
     */
    static Tolerance batchNormTraining(Tensor x, Tensor gamma, Tensor beta, float eps) {
        float[] g = gamma.toArray(), b = beta.toArray();
        double[][] stats = channelStats(x);
        double scale = 0;
        for (int c = 0; c < g.length; c++) {
            double mean = stats[0][c], meanSq = stats[1][c];
            double sigma = Math.sqrt(Math.max(meanSq - mean * mean, 0) + eps);
            scale = Math.max(scale, Math.abs(g[c]) * Math.sqrt(meanSq) / sigma + Math.abs(b[c]));
        }
        return Tolerance.forReduction(m(x), scale);
    }

    /** Updated running variance (and batch variance): sums of m squares of size E[x_c²]. */
    static Tolerance batchVariance(Tensor x) {
        double[] meanSq = channelStats(x)[1];
        double scale = 0;
        for (double s : meanSq) scale = Math.max(scale, s);
        return Tolerance.forReduction(m(x), scale);
    }

    /** 1/sqrt(σ² + ε): relative error about half that of σ², itself ≈ 2·ε·m relative. */
    static Tolerance invStd(Tensor x, Tensor expected) {
        return Tolerance.forReduction(m(x), maxAbs(expected));
    }

    /** Values per channel of a [N, C, ...] tensor. */
    static long m(Tensor x) {
        return x.size() / x.dim(1);
    }

    static double rms(Tensor t) {
        return Tolerance.rms(t.toArray());
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (float f : t.toArray()) m = Math.max(m, Math.abs(f));
        return m;
    }

    /** Per channel of [N, C, ...]: {mean, mean of squares}. */
    private static double[][] channelStats(Tensor x) {
        float[] a = x.toArray();
        int n = x.dim(0), c = x.dim(1);
        long inner = x.shape().sizeFrom(2);
        double[][] s = new double[2][c];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (long k = 0; k < inner; k++) {
                    double v = a[(int) (((long) b * c + ch) * inner + k)];
                    s[0][ch] += v;
                    s[1][ch] += v * v;
                }
            }
        }
        long m = (long) n * inner;
        for (int ch = 0; ch < c; ch++) {
            s[0][ch] /= m;
            s[1][ch] /= m;
        }
        return s;
    }
}
