package dev.panamacnn.simd.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Scalar code for the few elements of a tail where a vector would stick out of its segment
 * (see {@link Vec#fits}). Offsets are bytes of element 0; elements {@code [from, to)}.
 *
 * <p>These loops live here, not in the vector methods, on purpose: inside a vector method a
 * loop that runs only at the very end of a tensor made C2 speculate on its profile
 * ("profile_predicate" traps), deoptimise each time an exact-size tensor came by, and cycle
 * between compilations — measured: the [N, C] affine kernel then ran interpreted, allocating
 * ~4 KB per call. As calls to a small cold method they cost C2 nothing to compile around.
 */
final class Tails {
    private Tails() {}

    static void addClamp(MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment y, long yb,
                         long from, long to, float lo, float hi) {
        for (long i = from; i < to; i++) {
            float v = a.get(JAVA_FLOAT, ab + 4 * i) + b.get(JAVA_FLOAT, bb + 4 * i);
            y.set(JAVA_FLOAT, yb + 4 * i, Math.min(Math.max(v, lo), hi));
        }
    }

    static void clamp(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to,
                      float lo, float hi) {
        for (long i = from; i < to; i++) {
            y.set(JAVA_FLOAT, yb + 4 * i, Math.min(Math.max(x.get(JAVA_FLOAT, xb + 4 * i), lo), hi));
        }
    }

    /** The reference's formula, in double. */
    static void sigmoid(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to) {
        for (long i = from; i < to; i++) {
            double v = x.get(JAVA_FLOAT, xb + 4 * i);
            y.set(JAVA_FLOAT, yb + 4 * i, (float) (1.0 / (1.0 + Math.exp(-v))));
        }
    }

    static void tanh(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to) {
        for (long i = from; i < to; i++) {
            y.set(JAVA_FLOAT, yb + 4 * i, (float) Math.tanh(x.get(JAVA_FLOAT, xb + 4 * i)));
        }
    }

    /** {@code y = clamp(x·scale + shift)} with per-element scale and shift. */
    static void affine(MemorySegment x, long xb, MemorySegment scale, long sb, MemorySegment shift, long hb,
                       MemorySegment y, long yb, long from, long to, float lo, float hi) {
        for (long i = from; i < to; i++) {
            float v = Math.fma(x.get(JAVA_FLOAT, xb + 4 * i), scale.get(JAVA_FLOAT, sb + 4 * i),
                    shift.get(JAVA_FLOAT, hb + 4 * i));
            y.set(JAVA_FLOAT, yb + 4 * i, Math.min(Math.max(v, lo), hi));
        }
    }

    /** {@code y = clamp(x·sc + sh)} with one scale and shift. */
    static void scaleShift(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to,
                           float sc, float sh, float lo, float hi) {
        for (long i = from; i < to; i++) {
            y.set(JAVA_FLOAT, yb + 4 * i, Math.min(Math.max(Math.fma(x.get(JAVA_FLOAT, xb + 4 * i), sc, sh), lo), hi));
        }
    }

    static double sum(MemorySegment x, long xb, long from, long to) {
        double s = 0;
        for (long i = from; i < to; i++) s += x.get(JAVA_FLOAT, xb + 4 * i);
        return s;
    }

    static double squaredDeviation(MemorySegment x, long xb, long from, long to, float mu) {
        double s = 0;
        for (long i = from; i < to; i++) {
            float d = x.get(JAVA_FLOAT, xb + 4 * i) - mu;
            s += d * d;
        }
        return s;
    }

    /** max of {@code init} and the elements; NaN propagates. */
    static float max(MemorySegment x, long xb, long from, long to, float init) {
        float m = init;
        for (long i = from; i < to; i++) m = Math.max(m, x.get(JAVA_FLOAT, xb + 4 * i));
        return m;
    }

    /** {@code y = exp(x − max)}; returns their float sum. */
    static float expMinusMax(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to,
                             float max) {
        float s = 0;
        for (long i = from; i < to; i++) {
            float e = (float) Math.exp(x.get(JAVA_FLOAT, xb + 4 * i) - max);
            y.set(JAVA_FLOAT, yb + 4 * i, e);
            s += e;
        }
        return s;
    }

    static void scale(MemorySegment y, long yb, long from, long to, float s) {
        for (long i = from; i < to; i++) y.set(JAVA_FLOAT, yb + 4 * i, y.get(JAVA_FLOAT, yb + 4 * i) * s);
    }

    static void zero(MemorySegment y, long yb, long from, long to) {
        for (long i = from; i < to; i++) y.set(JAVA_FLOAT, yb + 4 * i, 0f);
    }

    static void copy(MemorySegment x, long xb, MemorySegment y, long yb, long from, long to) {
        for (long i = from; i < to; i++) y.set(JAVA_FLOAT, yb + 4 * i, x.get(JAVA_FLOAT, xb + 4 * i));
    }
}
