package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The fast dense layer (packed-weight GEMM; matrix × vector at batch 1) with its fused bias and
 * clamp equals the reference over random sizes: batch 1 and more, feature counts across the
 * 4-step unroll and the 8-row weight panels, 1–3 threads.
 */
class FastLinearTest {

    @Test
    void fastLinearEqualsReference() {
        Props.qt(120).forAll(integers().between(1, 5), integers().between(1, 300), integers().between(1, 70),
                        longs().between(0, Long.MAX_VALUE))
                .checkAssert((batch, in, out, seed) -> check(batch, in, out, 1 + (int) (seed % 3), seed));
    }

    @Test
    void wideLayerAtBatchOneSplitsAcrossThreads() {
        // Big enough (1280 → 1000, 5 MB of weights) that the batch-1 path splits the rows across the pool.
        check(1, 1280, 1000, 2, 7);
        check(1, 1280, 1000, 1, 7);
    }

    private static void check(int batch, int in, int out, int threads, long seed) {
        Layer net = Sequential.builder().add("fc", Linear.of(in, out)).add("act", Act.relu6()).build();
        Shape input = Shape.of(batch, in);
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, input, seed)) {
            m.params().get("fc.weight").fillNormal(seed + 1, 0f, 1f);
            m.params().get("fc.bias").fillNormal(seed + 2, 0f, 1f);
            Tensor x = Tensor.randomNormal(arena, seed + 3, 0f, 1f, batch, in);
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, input, CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                Tensor actual = plan.run(x, arena);
                Tolerance.forReduction(in, 1.0).assertClose("linear " + batch + "×" + in + " → " + out
                        + ", " + threads + " thread(s)", expected, actual);
            }
        }
    }
}
