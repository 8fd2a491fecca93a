package dev.panamacnn.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
    /** conv–BN–ReLU–pool with dropout before the classifier, 8×8 inputs, 3 classes. */
    static Sequential small() {
        return Sequential.builder()
                .add("conv", Conv2d.of(1, 4, 3).padding(1).noBias())
                .add("bn", BatchNorm.of(4))
                .add("relu", Act.relu())
                .add("pool", Pool2d.max(2, 2, 0))
                .add("flatten", new Flatten())
                .add("drop", new Dropout(0.25f))
                .add("fc", Linear.of(4 * 4 * 4, 3))
                .build();
    }

    private static final Shape IN = Shape.of(6, 1, 8, 8);
    private static final int[] LABELS = {0, 1, 2, 0, 1, 2};

    private static Map<String, float[]> train(long seed, int steps, Optimizer opt) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(small(), IN, 7);
             Trainer t = new Trainer(m, opt, TrainingKernels.reference(), seed)) {
            Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, IN.dims());
            for (int i = 0; i < steps; i++) t.step(x, LABELS);
            Map<String, float[]> out = new HashMap<>();
            m.params().asMap().forEach((k, v) -> out.put(k, v.toArray()));
            m.state().asMap().forEach((k, v) -> out.put(k, v.toArray()));
            opt.close();
            return out;
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Map<String, float[]> a = train(11, 4, Sgd.of(0.1).momentum(0.9));
        Map<String, float[]> b = train(11, 4, Sgd.of(0.1).momentum(0.9));
        Map<String, float[]> c = train(12, 4, Sgd.of(0.1).momentum(0.9));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
        // A different seed draws other dropout masks, so the classifier ends elsewhere.
        assertNotEquals(java.util.Arrays.toString(a.get("fc.weight")), java.util.Arrays.toString(c.get("fc.weight")));
    }

    @Test
    void lossFallsWhenFittingOneBatch() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(small(), IN, 1); Adam adam = Adam.of(0.01);
             Trainer t = new Trainer(m, adam, TrainingKernels.reference(), 5)) {
            Tensor x = Tensor.randomNormal(arena, 9, 0f, 1f, IN.dims());
            double first = t.step(x, LABELS).loss();
            Trainer.Result last = null;
            for (int i = 0; i < 60; i++) last = t.step(x, LABELS);
            assertTrue(last.loss() < 0.5 * first, "loss " + first + " -> " + last.loss());
            assertEquals(6, t.evaluate(x, LABELS).correct());
            assertEquals(61, t.steps());
        }
    }

    @Test
    void sgdMatchesHandComputedMomentumAndNesterov() {
        try (Arena arena = Arena.ofConfined()) {
            var params = new dev.panamacnn.core.layers.Variables();
            params.add("w", Tensor.of(arena, new float[] {1f}, 1));
            Gradients g = Gradients.like(params, arena);
            g.get("w").setFlat(0, 0.5f);
            try (Sgd sgd = Sgd.of(0.1).momentum(0.9).nesterov(true).weightDecay(0.01)) {
                sgd.step(params, g); // d = 0.5 + 0.01 = 0.51, b = 0.51, d = 0.51 + 0.9·0.51
                float w1 = 1f - 0.1f * (0.51f + 0.9f * 0.51f);
                assertEquals(w1, params.get("w").getFlat(0), 1e-7);
                sgd.step(params, g); // d = 0.5 + 0.01·w1, b = 0.9·0.51 + d
                float d = 0.5f + 0.01f * w1, b = 0.9f * 0.51f + d;
                assertEquals(w1 - 0.1f * (d + 0.9f * b), params.get("w").getFlat(0), 1e-7);
            }
        }
    }

    @Test
    void adamFirstStepMovesByTheLearningRate() {
        try (Arena arena = Arena.ofConfined()) {
            var params = new dev.panamacnn.core.layers.Variables();
            params.add("w", Tensor.of(arena, new float[] {1f, -2f}, 2));
            Gradients g = Gradients.like(params, arena);
            g.get("w").copyFrom(new float[] {3f, -0.001f});
            try (Adam adam = Adam.of(0.1)) {
                adam.step(params, g); // m̂ = g, v̂ = g²: the step is lr·sign(g)
                assertEquals(0.9f, params.get("w").getFlat(0), 1e-6);
                assertEquals(-1.9f, params.get("w").getFlat(1), 1e-4);
            }
        }
    }

    @Test
    void schedulesFollowPyTorch() {
        LrSchedule step = LrSchedule.step(0.1, 2, 0.5);
        assertEquals(0.1, step.rate(1), 1e-15);
        assertEquals(0.05, step.rate(2), 1e-15);
        assertEquals(0.025, step.rate(5), 1e-15);
        LrSchedule cos = LrSchedule.cosine(0.1, 10, 0.0);
        assertEquals(0.1, cos.rate(0), 1e-15);
        assertEquals(0.05, cos.rate(5), 1e-15);
        assertEquals(0.0, cos.rate(10), 1e-15);
    }

    @Test
    void initializersHaveTheirSpread() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, Shape.of(64, 32, 3, 3));
            Initializer.XAVIER_UNIFORM.fill(w, 1);
            double bound = Math.sqrt(6.0 / (32 * 9 + 64 * 9)), max = 0, sq = 0;
            for (float v : w.toArray()) {
                max = Math.max(max, Math.abs(v));
                sq += v * v;
            }
            assertTrue(max <= bound && max > 0.95 * bound, "max " + max + " bound " + bound);
            Initializer.KAIMING_NORMAL.fill(w, 2);
            sq = 0;
            for (float v : w.toArray()) sq += v * v;
            double std = Math.sqrt(sq / w.size());
            assertEquals(Math.sqrt(2.0 / (32 * 9)), std, 0.05 * std);
        }
    }

    @Test
    void layersWithoutBackwardAreNamed() {
        try (Model m = Model.init(Sequential.of(new Flatten(), Softmax.ofClasses()), Shape.of(2, 3), 1)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Sgd.of(0.1), TrainingKernels.reference(), 1));
            assertTrue(e.getMessage().contains("Softmax"), e.getMessage());
        }
    }
}
