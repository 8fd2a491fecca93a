package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.testing.Tolerance;
import org.junit.jupiter.api.Test;

/**
 * Pooling against the reference: max exactly (it only selects); average within the tolerance of
 * a k-term sum (exact when the device sums in double, as the reference does).
 */
class PoolKernelsTest {

    @Test
    void poolMatchesReference() {
        Harness.qt(60).forAll(Cases.pools()).checkAssert(pc -> {
            Sequential model = Sequential.of(pc.max() ? Pool2d.max(pc.spec()) : Pool2d.avg(pc.spec()));
            Harness.Result r = Harness.run(model, pc.input(), pc.seed(), m -> {}, x -> x.fillNormal(pc.seed(), 0f, 1f));
            assertTrue(r.step().startsWith("POOL"), r.steps().toString());
            Tolerance tol = pc.max() ? Tolerance.EXACT
                    : Tolerance.forReduction((long) pc.spec().kernelH() * pc.spec().kernelW(), 1.0);
            tol.assertClose(pc.toString(), r.expected(), r.actual());
        });
    }

    @Test
    void maxPoolPropagatesNaNAndIgnoresPadding() {
        Shape in = Shape.of(1, 1, 4, 4);
        var spec = dev.panamacnn.core.ops.Pool2dSpec.of(3).stride(2).padding(1).ceilMode(true);
        Harness.Result r = Harness.run(Sequential.of(Pool2d.max(spec)), in, 1, m -> {}, x -> {
            x.fill(-5f); // all negative: a padded zero must never win
            x.setFlat(5, Float.NaN);
        });
        Tolerance.EXACT.assertClose("max pool with NaN", r.expected(), r.actual());
        assertTrue(Float.isNaN(r.actual()[0]) && r.actual()[r.actual().length - 1] == -5f, java.util.Arrays.toString(r.actual()));
    }

    @Test
    void globalPoolMatchesReference() {
        Harness.qt(25).forAll(integers().between(1, 3), integers().between(1, 9), integers().between(1, 40), longs().all())
                .checkAssert((n, c, side, seed) -> {
            boolean max = seed % 2 == 0;
            Shape in = Shape.of(n, c, side, Math.max(1, side - (int) Math.floorMod(seed, 5L)));
            Harness.Result r = Harness.run(Sequential.of(max ? GlobalPool.max() : GlobalPool.avg()), in, seed,
                    m -> {}, x -> x.fillNormal(seed, 0.5f, 2f));
            assertTrue(r.step().startsWith("GLOBAL_POOL"), r.steps().toString());
            Tolerance tol = max ? Tolerance.EXACT : Tolerance.forReduction((long) in.dim(2) * in.dim(3), 2.5);
            tol.assertClose((max ? "global max " : "global avg ") + in, r.expected(), r.actual());
        });
    }
}
