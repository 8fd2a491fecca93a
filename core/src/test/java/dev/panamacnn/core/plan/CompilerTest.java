package dev.panamacnn.core.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner (lowering, folding, fusion, buffer reuse) checked on the reference backend. */
class CompilerTest {

    static Layer miniResNet() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 8, 3).padding(1).noBias())
                .add("bn1", BatchNorm.of(8))
                .add("relu", Act.relu())
                .add("maxpool", Pool2d.max(3, 2, 1))
                .add("layer1", Sequential.of(ResNet18.basicBlock(8, 8, 1)))
                .add("layer2", Sequential.of(ResNet18.basicBlock(8, 16, 2)))
                .add("avgpool", GlobalPool.avg())
                .add("flatten", new Flatten())
                .add("fc", Linear.of(16, 5))
                .add("bn1d", BatchNorm.of(5))
                .add("drop", new Dropout(0.3f))
                .add("softmax", Softmax.ofClasses())
                .build();
    }

    /** Random, non-trivial batch-norm statistics so folding is really exercised. */
    static void randomiseState(Model m, long seed) {
        int i = 0;
        for (var e : m.state().asMap().entrySet()) {
            Tensor t = e.getValue();
            if (e.getKey().endsWith("running_var")) t.fillUniform(seed + i++, 0.5f, 2f);
            else t.fillUniform(seed + i++, -0.5f, 0.5f);
        }
        for (var e : m.params().asMap().entrySet()) {
            if (e.getKey().endsWith("bias")) e.getValue().fillUniform(seed + i++, -0.3f, 0.3f);
        }
    }

    static void assertCompiledEqualsReference(Model m, Shape input, CompileOptions opts) {
        try (Arena arena = Arena.ofConfined(); CompiledModel plan = Compiler.compile(m, input, opts)) {
            Tensor x = Tensor.randomNormal(arena, 11, 0f, 1f, input.dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            Tensor actual = plan.run(x, arena);
            double scale = Tolerance.rms(expected.toArray());
            new Tolerance(1e-4, 1e-4 * scale, 4).assertClose("compiled vs model", expected, actual);
        }
    }

    @Test
    void compiledLeNetEqualsTheModel() {
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 3)) {
            assertCompiledEqualsReference(m, Shape.of(2, 1, 28, 28), CompileOptions.of(ReferenceBackend.INSTANCE));
        }
    }

    @Test
    void compiledResNetWithFoldedBatchNormEqualsTheModel() {
        try (Model m = Model.init(miniResNet(), Shape.of(2, 3, 20, 20), 5)) {
            randomiseState(m, 17);
            assertCompiledEqualsReference(m, Shape.of(2, 3, 20, 20), CompileOptions.of(ReferenceBackend.INSTANCE));
        }
    }

    @Test
    void batchNormFoldsAndEpiloguesFuse() {
        try (Model m = Model.init(miniResNet(), Shape.of(1, 3, 20, 20), 5);
             CompiledModel plan = Compiler.compile(m, Shape.of(1, 3, 20, 20), CompileOptions.of(ReferenceBackend.INSTANCE))) {
            List<String> steps = plan.steps();
            assertTrue(steps.stream().noneMatch(s -> s.startsWith("AFFINE")), "every BN folded: " + steps);
            assertTrue(steps.stream().noneMatch(s -> s.startsWith("ADD") || s.startsWith("ACT")), "fused: " + steps);
            assertTrue(steps.stream().anyMatch(s -> s.startsWith("CONV layer1.0") && s.contains("+") && s.endsWith("ReLU")),
                    "conv2 of the block carries the skip and the ReLU: " + steps);
            // conv1, 2 convs per block ×2 blocks, 1 projection, fc, pool, gap, softmax
            assertEquals(10, steps.size(), steps.toString());
        }
    }

    @Test
    void buffersAreReusedAcrossLayers() {
        try (Model m = Model.init(ResNet18.build(), ResNet18.INPUT, 1);
             CompiledModel plan = Compiler.compile(m, ResNet18.INPUT, CompileOptions.of(ReferenceBackend.INSTANCE))) {
            long largest = 64L * 112 * 112 * 4; // conv1's output
            assertTrue(plan.workspaceBytes() <= 3 * largest,
                    "workspace " + plan.workspaceBytes() + " B should be a few activations, not all of them");
            assertTrue(plan.workspaceBytes() >= largest + largest / 4, "conv1 output and maxpool output coexist");
        }
    }

    @Test
    void wrongShapesAreRejectedBeforeAnyWork() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 1);
             CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(ReferenceBackend.INSTANCE))) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> plan.run(Tensor.zeros(arena, 2, 1, 28, 28), arena));
            assertTrue(e.getMessage().contains("[1, 1, 28, 28]") && e.getMessage().contains("[2, 1, 28, 28]"), e.getMessage());
            var o = assertThrows(IllegalArgumentException.class,
                    () -> plan.run(Tensor.zeros(arena, 1, 1, 28, 28), Tensor.zeros(arena, 1, 11)));
            assertTrue(o.getMessage().contains("output shape expected [1, 10]"), o.getMessage());
            var c = assertThrows(IllegalArgumentException.class,
                    () -> Compiler.compile(m, Shape.of(1, 3, 28, 28), CompileOptions.of(ReferenceBackend.INSTANCE)));
            assertTrue(c.getMessage().contains("[1, 3, 28, 28]"), c.getMessage());
        }
    }

    @Test
    void modelThatOnlyReshapesStillWritesItsOutput() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(Sequential.of(new Flatten()), Shape.of(1, 2, 3), 0);
             CompiledModel plan = Compiler.compile(m, Shape.of(1, 2, 3), CompileOptions.of(ReferenceBackend.INSTANCE))) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, 1, 2, 3);
            assertArrayEquals(x.toArray(), plan.run(x, arena).toArray());
        }
    }

    @Test
    void closedPlanRefusesToRun() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 1)) {
            CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(ReferenceBackend.INSTANCE));
            plan.close();
            assertThrows(IllegalStateException.class, () -> plan.run(Tensor.zeros(arena, 1, 1, 28, 28), arena));
            assertFalse(plan.steps().isEmpty());
        }
    }
}
