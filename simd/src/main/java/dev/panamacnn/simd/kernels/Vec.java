package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every kernel in this package uses, and the constants its vector code
 * shares.
 *
 * <p>{@code F} is {@code static final} so C2 intrinsifies every operation on it; it is never
 * passed as an argument (a species argument was measured 15–200× slower). It is also, by
 * default, the only float species in the process: a second one makes the JDK's shared vector
 * code see two vector classes, and C2 then compiles some kernels with their vectors boxed (see
 * {@code gemm.ColumnKernel}).
 *
 * <p><b>Why the kernels call the Vector API directly instead of through small helpers such as
 * {@code load(segment, element)}.</b> Each vector operation on a MemorySegment costs C2 about
 * 400–600 IR nodes while parsing. Past its inlining budget ({@code NodeCountInliningCutoff},
 * 18 000 nodes per compiled method) C2 refuses to inline ordinary methods, and a refused helper
 * that returns a vector must box it: measured, a 3×3 depthwise plane then allocated ~20 KB and
 * ran the Java fallback. The Vector API's own methods are {@code @ForceInline}: over budget C2
 * delays them (incremental inlining) instead of refusing. So vector operations are written at
 * the call site, public offsets in elements become byte offsets as {@code element * 4}, and
 * the helpers that remain take and return only scalars and segments. Vector constants are not
 * kept in {@code static final} fields either (a constant box flowing into a loop phi was
 * materialised: the loop allocated); only the permutation indexes below, used as operands, are.
 *
 * <p><b>Clamps are written as blends</b>, {@code v = v.blend(lo, v.compare(LE, lo))} and the
 * same with {@code GE, hi}, not as {@code v.max(lo).min(hi)}: C2 expands a float vector max or
 * min into a sequence that reproduces {@code Math.max}'s NaN and signed-zero rules, and on a
 * 3×3 depthwise plane the clamp cost as much as the nine FMAs (7.6 against 4.5 ns per vector).
 * The blends give the same results: NaN compares false and stays NaN, −0 ≤ 0 becomes +0.
 */
final class Vec {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /**
     * {@code EVEN.selectFrom(a, b)} = {@code [x[e], x[e+2], …]} and {@code ODD.selectFrom(a, b)} =
     * {@code [x[e+1], x[e+3], …]} for the 2L floats {@code a‖b} that start at element e: one
     * two-vector permute (vpermi2ps with AVX-512) de-interleaves a stride-2 row.
     */
    static final FloatVector EVEN = iota(0, 2);
    static final FloatVector ODD = iota(1, 2);

    /**
     * {@code [0, 1, …, L−1]}: {@code IOTA.add(c).compare(…)} builds lane masks such as "column
     * inside the row". {@code VectorSpecies.indexInRange} would say the same, but it fell back
     * to allocating Java code inside larger compiled methods (measured with JFR).
     */
    static final FloatVector IOTA = iota(0, 1);

    /**
     * The lane permutations of a fixed pairwise sum: {@code for (s : FOLDS) v = v.add(v.rearrange(s))}
     * leaves Σ lanes in lane 0. {@code reduceLanes(ADD)} leaves the order to the implementation,
     * and interpreted, C1 and C2 code did sum in different orders (results 1 ulp apart); this
     * fold adds the same pairs in every tier, so results never depend on when the JIT kicked in.
     */
    static final VectorShuffle<Float>[] FOLDS = folds();

    private Vec() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int i = 0, half = L / 2; i < steps; i++, half /= 2) {
            int h = half;
            folds[i] = VectorShuffle.fromOp(F, lane -> lane ^ h);
        }
        return folds;
    }

    /**
     * Whether a whole vector at {@code byteOffset} lies inside the segment. Masked loads and
     * stores are only used where it does: for a vector that sticks out of the segment (a tail at
     * the very end of a tensor, a padding column before its start) the JDK checks the mask lane
     * by lane in code that runs interpreted and allocates (measured with JFR), so those few
     * elements take a scalar path instead.
     */
    static boolean fits(MemorySegment s, long byteOffset) {
        return byteOffset >= 0 && byteOffset <= s.byteSize() - 4L * L;
    }

    private static FloatVector iota(int first, int step) {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = first + step * k;
        return FloatVector.fromArray(F, idx, 0);
    }
}
