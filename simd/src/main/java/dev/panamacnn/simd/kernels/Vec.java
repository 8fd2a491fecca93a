package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every kernel in this package uses, and loads/stores addressed in
 * <em>elements</em> (floats), the offset convention of the public kernels.
 *
 * <p>{@code F} is {@code static final} so C2 intrinsifies every operation on it; it is never
 * passed as an argument (a species argument was measured 15–200× slower).
 */
final class Vec {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Lane k holds 2k / 2k+1: with {@code selectFrom(a, b)} they pick the even / odd elements of a‖b. */
    private static final FloatVector EVEN_INDEX = iota(0);
    private static final FloatVector ODD_INDEX = iota(1);

    private Vec() {}

    static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(F, s, element * Float.BYTES, ORDER);
    }

    /** Lanes outside {@code m} read as 0 and may lie outside the segment. */
    static FloatVector load(MemorySegment s, long element, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(F, s, element * Float.BYTES, ORDER, m);
    }

    static void store(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element * Float.BYTES, ORDER);
    }

    static void store(FloatVector v, MemorySegment s, long element, VectorMask<Float> m) {
        v.intoMemorySegment(s, element * Float.BYTES, ORDER, m);
    }

    /** Lanes {@code [0, n)} set; n may exceed the lane count. */
    static VectorMask<Float> firstLanes(long n) {
        return F.indexInRange(0L, n);
    }

    /** {@code [x[e], x[e+2], …]} for the 2L floats {@code a‖b} that start at element e. */
    static FloatVector evens(FloatVector a, FloatVector b) {
        return EVEN_INDEX.selectFrom(a, b);
    }

    /** {@code [x[e+1], x[e+3], …]} for the 2L floats {@code a‖b} that start at element e. */
    static FloatVector odds(FloatVector a, FloatVector b) {
        return ODD_INDEX.selectFrom(a, b);
    }

    private static FloatVector iota(int first) {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = first + 2 * k;
        return FloatVector.fromArray(F, idx, 0);
    }
}
