package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.core.testing.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Transpose, slice, pad and concat against the reference: exact copies, so bit for bit. */
class LayoutKernelsTest {

    private static Harness.Result run(dev.panamacnn.core.layers.Layer layer, Shape x, long seed) {
        return Harness.run(layer, x, seed, m -> GraphCases.normalParams(m, seed), t -> t.fillNormal(seed, 0f, 3f));
    }

    private static void assertStep(Harness.Result r, String kind, String what) {
        assertTrue(r.steps().stream().anyMatch(s -> s.startsWith(kind)), what + ": " + r.steps());
    }

    /** Every permutation of rank 1–4, each on two random shapes (sides 1–7). */
    @Test
    void everyPermutationUpToRankFourMatchesReference() {
        RandomGenerator rng = Tensor.rng(11);
        for (int rank = 1; rank <= 4; rank++) {
            for (int[] perm : permutations(rank)) {
                for (int t = 0; t < 2; t++) {
                    int[] dims = new int[rank];
                    for (int k = 0; k < rank; k++) dims[k] = 1 + rng.nextInt(7);
                    Shape x = Shape.of(dims);
                    Harness.Result r = run(Sequential.of(new Transpose(perm)), x, rng.nextLong());
                    String what = "transpose " + x + " by " + Arrays.toString(perm);
                    if (!isIdentity(perm)) assertStep(r, "TRANSPOSE", what);
                    Tolerance.EXACT.assertClose(what, r.expected(), r.actual());
                }
            }
        }
    }

    /** Ranks 5 and 6 (channel shuffles reshape to 5-D) with random permutations. */
    @Test
    void higherRankTransposesMatchReference() {
        Harness.qt(15).forAll(GraphCases.shapes(5, 6, 4), longs().all()).checkAssert((x, seed) -> {
            List<Integer> p = new ArrayList<>();
            for (int k = 0; k < x.rank(); k++) p.add(k);
            java.util.Collections.shuffle(p, new java.util.Random(seed));
            int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
            Harness.Result r = run(Sequential.of(new Transpose(perm)), x, seed);
            Tolerance.EXACT.assertClose("transpose " + x + " by " + Arrays.toString(perm), r.expected(), r.actual());
        });
    }

    /**
     * Slices along a random subset of axes: starts and ends anywhere from before the start to past
     * the end (negative ones count from the end, huge ones clamp), steps −3…3 but not 0.
     */
    @Test
    void slicesWithPositiveAndNegativeStepsMatchReference() {
        Harness.qt(60).forAll(GraphCases.shapes(1, 4, 9), longs().all()).checkAssert((x, seed) -> {
            RandomGenerator r = Tensor.rng(seed);
            List<Integer> axes = new ArrayList<>();
            for (int k = 0; k < x.rank(); k++) if (r.nextBoolean()) axes.add(r.nextBoolean() ? k : k - x.rank());
            if (axes.isEmpty()) axes.add(r.nextInt(x.rank()));
            int n = axes.size();
            long[] starts = new long[n], ends = new long[n], steps = new long[n];
            for (int i = 0; i < n; i++) {
                int d = x.dim(Math.floorMod(axes.get(i), x.rank()));
                steps[i] = (1 + r.nextInt(3)) * (r.nextInt(3) == 0 ? -1 : 1);
                starts[i] = r.nextInt(2 * d + 5) - d - 2;
                ends[i] = r.nextInt(6) == 0 ? (steps[i] > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r.nextInt(2 * d + 5) - d - 2;
            }
            SliceSpec spec = new SliceSpec(axes.stream().mapToInt(Integer::intValue).toArray(), starts, ends, steps);
            Shape out = spec.resolve(x).output();
            if (out.size() == 0) return; // an empty model output says nothing about the kernel
            Harness.Result res = run(Sequential.of(new Slice(spec)), x, seed);
            assertStep(res, "SLICE", spec.toString());
            Tolerance.EXACT.assertClose("slice " + x + " " + spec, res.expected(), res.actual());
        });
    }

    /** Pads of −1…3 per side, begins and ends drawn independently (asymmetric; negative crops). */
    @Test
    void padsIncludingAsymmetricAndCroppingMatchReference() {
        Harness.qt(50).forAll(GraphCases.shapes(1, 4, 7), longs().all()).checkAssert((x, seed) -> {
            RandomGenerator r = Tensor.rng(seed);
            int rank = x.rank();
            int[] pads = new int[2 * rank];
            for (int k = 0; k < rank; k++) {
                pads[k] = r.nextInt(5) - 1;
                pads[rank + k] = r.nextInt(5) - 1;
                if (x.dim(k) + pads[k] + pads[rank + k] < 1) pads[k] = pads[rank + k] = 0;
            }
            float value = r.nextBoolean() ? 0f : (float) r.nextGaussian();
            Harness.Result res = run(Sequential.of(new Pad(pads, value)), x, seed);
            String what = "pad " + x + " by " + Arrays.toString(pads) + " with " + value;
            assertStep(res, "PAD", what);
            Tolerance.EXACT.assertClose(what, res.expected(), res.actual());
        });
    }

    /** Concat along every axis (given positive or negative) of x with constants of other widths there, x repeated. */
    @Test
    void concatAlongEachAxisMatchesReference() {
        Harness.qt(40).forAll(GraphCases.shapes(1, 4, 6), integers().between(0, 3), longs().all())
                .checkAssert((x, a, seed) -> {
            RandomGenerator r = Tensor.rng(seed);
            int axis = a % x.rank();
            int k = 1 + r.nextInt(3);
            List<Shape> constants = new ArrayList<>();
            List<String> inputs = new ArrayList<>(List.of("x"));
            for (int i = 0; i < k; i++) {
                constants.add(x.withDim(axis, 1 + r.nextInt(5)));
                inputs.add(r.nextInt(inputs.size() + 1), "c" + i);
            }
            if (r.nextBoolean()) inputs.add("x");
            int given = r.nextBoolean() ? axis : axis - x.rank();
            Harness.Result res = run(GraphCases.graph(new Concat(given), constants, inputs), x, seed);
            String what = "concat " + inputs + " of " + x + " and " + constants + " along " + given;
            assertStep(res, "CONCAT", what);
            Tolerance.EXACT.assertClose(what, res.expected(), res.actual());
        });
    }

    static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] p, boolean[] used, int at, List<int[]> out) {
        if (at == p.length) {
            out.add(p.clone());
            return;
        }
        for (int v = 0; v < p.length; v++) {
            if (used[v]) continue;
            used[v] = true;
            p[at] = v;
            permute(p, used, at + 1, out);
            used[v] = false;
        }
    }

    private static boolean isIdentity(int[] perm) {
        for (int k = 0; k < perm.length; k++) if (perm[k] != k) return false;
        return true;
    }
}
