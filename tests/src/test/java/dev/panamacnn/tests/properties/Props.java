package dev.panamacnn.tests.properties;

import dev.panamacnn.core.testing.Tolerance;
import org.quicktheories.QuickTheory;

/**
 * QuickTheories settings shared by the property tests, and the few scalar helpers they need.
 *
 * <p>Each property names a modest example count so the whole set stays fast; {@code -DQT_EXAMPLES=n}
 * overrides it for a longer search and {@code -DQT_SEED=s} replays the seed QuickTheories prints
 * with a falsified property.
 */
final class Props {
    private Props() {}

    /** Shrink steps after a failure: enough to reach small shapes, bounded so failures stay quick. */
    private static final int SHRINK_CYCLES = 300;

    static QuickTheory qt(int examples) {
        QuickTheory q = QuickTheory.qt();
        if (System.getProperty("QT_EXAMPLES") == null) q = q.withExamples(examples);
        if (System.getProperty("QT_SHRINKS") == null) q = q.withShrinkCycles(SHRINK_CYCLES);
        return q;
    }

    /** Σ a[i]·b[i] in double. */
    static double dot(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("dot of lengths " + a.length + " and " + b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Like {@link Tolerance#accepts} for one double result: {@code |a − e| ≤ atol + rtol·|e|}. */
    static void assertScalarClose(String what, double expected, double actual, Tolerance tol) {
        double bound = tol.atol() + tol.rtol() * Math.abs(expected);
        if (!(Math.abs(actual - expected) <= bound)) {
            throw new AssertionError(String.format("%s: expected %.9g, actual %.9g (|diff| %.3g > bound %.3g)",
                    what, expected, actual, Math.abs(actual - expected), bound));
        }
    }
}
