package dev.panamacnn.core.testing;

import dev.panamacnn.core.Tensor;

/**
 * How close two float32 results must be, in one place for every test module.
 *
 * <p>An element passes when {@code |actual − expected| ≤ atol + rtol·|expected|}, or when the
 * two are within {@code ulps} units in the last place. For results that are sums of {@code k}
 * products (convolution, dense, pooling, batch-norm statistics) the error of float32
 * accumulation grows with the reduction length, so {@link #forReduction(long, double)} scales
 * the bound with k — the way oneDNN's benchdnn sets per-algorithm thresholds — and measures
 * the absolute part against the magnitude of the data (cancellation near zero is judged against
 * the size of the terms, not of the result).
 */
public record Tolerance(double rtol, double atol, int ulps) {

    /** Machine epsilon of float32: 2^-23. */
    public static final double EPS = Math.ulp(1.0f);

    /** Bit-exact equality (NaN equals NaN). */
    public static final Tolerance EXACT = new Tolerance(0, 0, 0);

    /** Element-wise ops computed in a different but correctly rounded way (e.g. exp, tanh). */
    public static Tolerance elementwise() {
        return new Tolerance(4 * EPS, 1e-7, 4);
    }

    /**
     * For results that are sums of {@code k} terms whose typical magnitude is
     * {@code termScale} (e.g. |x|·|w| for a conv). Bound: {@code rtol = 8·ε·√k},
     * {@code atol = 2·ε·k·termScale}, generous for reordered float sums, tight enough that one
     * wrong or missing term is caught.
     */
    public static Tolerance forReduction(long k, double termScale) {
        long n = Math.max(1, k);
        return new Tolerance(8 * EPS * Math.sqrt(n), 2 * EPS * n * termScale + 1e-30, 4);
    }

    public Tolerance withAtol(double a) {
        return new Tolerance(rtol, a, ulps);
    }

    /** Whether one pair of values passes. */
    public boolean accepts(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) {
            return Float.isNaN(expected) && Float.isNaN(actual);
        }
        if (expected == actual) return true;
        if (Float.isInfinite(expected) || Float.isInfinite(actual)) return false;
        if (ulpDistance(expected, actual) <= ulps) return true;
        return Math.abs((double) actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** Distance in units in the last place between two finite floats (0 for equal values). */
    public static long ulpDistance(float a, float b) {
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    public static double maxAbsError(float[] expected, float[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs((double) actual[i] - expected[i]));
        return m;
    }

    /** Max of |a − e| / max(|e|, 1e-30) over elements. */
    public static double maxRelError(float[] expected, float[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            m = Math.max(m, Math.abs((double) actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-30));
        }
        return m;
    }

    /** Root-mean-square of the values: a typical magnitude for scaling absolute tolerances. */
    public static double rms(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return v.length == 0 ? 0 : Math.sqrt(s / v.length);
    }

    /** Throws an {@link AssertionError} naming the worst element unless every element passes. */
    public void assertClose(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int failures = 0, worst = -1;
        double worstExcess = -1;
        for (int i = 0; i < expected.length; i++) {
            if (!accepts(expected[i], actual[i])) {
                failures++;
                double excess = Math.abs((double) actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
                if (Double.isNaN(excess) || excess > worstExcess) {
                    worstExcess = Double.isNaN(excess) ? Double.MAX_VALUE : excess;
                    worst = i;
                }
            }
        }
        if (failures > 0) {
            throw new AssertionError(String.format(
                    "%s: %d of %d elements out of tolerance (rtol %.3g, atol %.3g, %d ulps); worst at"
                            + " flat index %d: expected %s, actual %s; max abs error %.3g",
                    what, failures, expected.length, rtol, atol, ulps, worst, expected[worst],
                    actual[worst], maxAbsError(expected, actual)));
        }
    }

    public void assertClose(String what, Tensor expected, Tensor actual) {
        if (!expected.shape().equals(actual.shape())) {
            throw new AssertionError(what + ": shape " + actual.shape() + ", expected " + expected.shape());
        }
        assertClose(what, expected.toArray(), actual.toArray());
    }
}
