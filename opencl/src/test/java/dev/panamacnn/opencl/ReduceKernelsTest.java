package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.reference.ReduceRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Mean over axis sets, with and without keepdims, against the reference. */
class ReduceKernelsTest {

    /** A random non-empty axis set (positive or negative) of ranks 1–5; spatial means of 4-D inputs are global pools. */
    @Test
    void meanOverAxisSetsMatchesReference() {
        Harness.qt(50).forAll(GraphCases.shapes(1, 5, 9), booleans().all(), longs().all()).checkAssert((x, keep, seed) -> {
            RandomGenerator r = Tensor.rng(seed);
            List<Integer> axes = new ArrayList<>();
            for (int k = 0; k < x.rank(); k++) if (r.nextBoolean()) axes.add(r.nextBoolean() ? k : k - x.rank());
            if (axes.isEmpty()) axes.add(r.nextInt(x.rank()));
            int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
            Harness.Result res = Harness.run(Sequential.of(new ReduceMean(ax, keep)), x, seed, m -> {},
                    t -> t.fillNormal(seed, 1f, 3f));
            String what = "mean of " + x + " over " + Arrays.toString(ax) + (keep ? " keepdims" : "");
            boolean spatial = x.rank() == 4 && Arrays.equals(ReduceRef.axes(x, ax), new int[] {2, 3});
            assertTrue(res.steps().stream().anyMatch(s -> s.startsWith(spatial ? "GLOBAL_POOL" : "REDUCE_MEAN")),
                    what + ": " + res.steps());
            long terms = x.size() / Math.max(1, ReduceRef.meanShape(x, ax, keep).size());
            GraphCases.exactWithFp64(terms).assertClose(what, res.expected(), res.actual());
        });
    }

    @Test
    void meanOverEveryAxisIsOneNumber() {
        Shape x = Shape.of(3, 7, 11);
        Harness.Result res = Harness.run(Sequential.of(new ReduceMean(new int[] {0, 1, 2}, false)), x, 5, m -> {},
                t -> t.fillNormal(5, 0f, 1f));
        GraphCases.exactWithFp64(x.size()).assertClose("mean of all " + x, res.expected(), res.actual());
    }
}
