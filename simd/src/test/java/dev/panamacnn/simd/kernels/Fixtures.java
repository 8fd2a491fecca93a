package dev.panamacnn.simd.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.generators.Generate;

/**
 * Test plumbing: operands placed at an element offset inside a larger native segment whose
 * other floats hold a sentinel (so a write outside the output range is caught), random data
 * without zeros, and random splits of an index range.
 */
final class Fixtures {
    /** Written around every operand; a kernel that writes out of range changes it. */
    static final float SENTINEL = -12345.678f;
    /** Floats of sentinel after each operand: two vectors, more than any overlapping load reaches. */
    static final int GUARD = 2 * Vec.L + 3;

    private Fixtures() {}

    /**
     * An operand of {@code n} floats at element offset {@code offset}, sentinel elsewhere. At an
     * odd offset the segment ends right after the operand (no guard after it), so vectors near
     * the end would stick out of the segment: the case real tensors are in (see Vec.fits).
     */
    record Placed(MemorySegment segment, long offset, int n) {
        static Placed of(Arena arena, float[] data, long offset) {
            long total = offset + data.length + (offset % 2 == 1 ? 0 : GUARD);
            MemorySegment s = arena.allocate(total * Float.BYTES, 64);
            for (long i = 0; i < total; i++) s.setAtIndex(JAVA_FLOAT, i, SENTINEL);
            MemorySegment.copy(data, 0, s, JAVA_FLOAT, offset * Float.BYTES, data.length);
            return new Placed(s, offset, data.length);
        }

        static Placed empty(Arena arena, int n, long offset) {
            return of(arena, filled(n, SENTINEL), offset);
        }

        float[] read() {
            float[] out = new float[n];
            MemorySegment.copy(segment, JAVA_FLOAT, offset * Float.BYTES, out, 0, n);
            return out;
        }

        /** Throws unless every float outside {@code [offset, offset + n)} still holds the sentinel. */
        void assertGuardsIntact(String what) {
            long total = segment.byteSize() / Float.BYTES;
            for (long i = 0; i < total; i++) {
                if (i >= offset && i < offset + n) continue;
                float v = segment.getAtIndex(JAVA_FLOAT, i);
                if (Float.floatToRawIntBits(v) != Float.floatToRawIntBits(SENTINEL)) {
                    throw new AssertionError(what + ": wrote " + v + " at element " + i
                            + " outside [" + offset + ", " + (offset + n) + ")");
                }
            }
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Uniform in [lo, hi) with no exact zeros (a zero-heavy input hides missing terms). */
    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            do {
                v = (float) (lo + (hi - lo) * r.nextDouble());
            } while (v == 0f);
            a[i] = v;
        }
        return a;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }

    static double rms(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return v.length == 0 ? 0 : Math.sqrt(s / v.length);
    }

    /**
     * Cut points {@code 0 = c0 ≤ c1 ≤ c2 ≤ c3 = total}, giving up to three sub-ranges; the kernel
     * runs on them last-first so no range can lean on one computed before it.
     */
    static long[] cuts(RandomnessSource rs, long total) {
        long a = Generate.longRange(0, total).generate(rs);
        long b = Generate.longRange(0, total).generate(rs);
        return new long[] {0, Math.min(a, b), Math.max(a, b), total};
    }

    static int draw(RandomnessSource rs, int lo, int hi) {
        return Generate.range(lo, hi).generate(rs);
    }

    static boolean coin(RandomnessSource rs) {
        return Generate.booleans().generate(rs);
    }

    static long seed(RandomnessSource rs) {
        return Generate.longRange(0, Long.MAX_VALUE / 2).generate(rs);
    }
}
