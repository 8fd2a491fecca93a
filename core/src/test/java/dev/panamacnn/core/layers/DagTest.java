package dev.panamacnn.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.plan.ReferenceBackend;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DagTest {

    /** Two branches (conv and a channel slice), concat, a broadcast scale, a residual add, a head. */
    static Dag branchy() {
        return Dag.builder("x")
                .add("conv", Conv2d.of(4, 4, 3).padding(1), "x")
                .add("relu", Act.relu(), "conv")
                .add("half", new Slice(new SliceSpec(new int[] {1}, new long[] {0}, new long[] {2}, new long[] {1})), "x")
                .add("wide", Conv2d.of(2, 4, 1).noBias(), "half")
                .add("cat", new Concat(1), List.of("relu", "wide"), "cat")
                .add("scale", new Constant(Shape.of(1, 8, 1, 1)), List.of(), "scale")
                .add("mul", new Binary(BinaryOp.MUL), List.of("cat", "scale"), "mul")
                .add("mix", Conv2d.of(8, 4, 1), "mul")
                .add("sum", Binary.add(), List.of("mix", "x"), "sum")
                .add("act", Act.hardSwish(), "sum")
                .add("pad", new Pad(new int[] {0, 0, 1, 0, 0, 0, 0, 1}, 0.5f), "act")
                .add("t", new Transpose(new int[] {0, 1, 3, 2}), "pad")
                .add("mean", new ReduceMean(new int[] {2, 3}, false), "t")
                .add("fc", Linear.of(4, 3), "mean")
                .build("fc");
    }

    @Test
    void variablesAreNamedByTheirBindingsAndShapesPropagate() {
        Dag d = branchy();
        try (Model m = Model.init(d, Shape.of(2, 4, 5, 6), 7)) {
            assertTrue(m.params().contains("conv.weight"));
            assertTrue(m.params().contains("scale.value"));
            assertEquals(Shape.of(2, 3), m.outputShape());
            Map<String, Shape> shapes = d.shapes(Shape.of(2, 4, 5, 6));
            assertEquals(Shape.of(2, 4, 6, 7), shapes.get("pad"));
            assertEquals(Shape.of(2, 4, 7, 6), shapes.get("t"));
            assertEquals(14, m.summary().rows().size());
        }
    }

    @Test
    void compiledPlanOnTheReferenceBackendEqualsTheLayerForward() {
        Shape in = Shape.of(2, 4, 5, 6);
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(branchy(), in, 7)) {
            m.params().get("scale.value").fillUniform(3, 0.5f, 1.5f);
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, in.dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(ReferenceBackend.INSTANCE))) {
                Tensor actual = plan.run(x, arena);
                float[] e = expected.toArray(), a = actual.toArray();
                // Same kernels, but the plan adds the residual in a fused conv epilogue: equal to a rounding.
                for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * (1 + Math.abs(e[i])), "element " + i);
                assertTrue(plan.steps().stream().anyMatch(s -> s.startsWith("CONV mix") && s.contains("+")),
                        "the residual add joins the 1x1 conv: " + plan.steps());
            }
        }
    }

    @Test
    void sharedBindingsDeclareOneVariable() {
        Dag d = Dag.builder("x")
                .add("a", GraphOp.of(Linear.of(3, 3).noBias()), List.of("x"), "a", Map.of("weight", "tied"))
                .add("b", GraphOp.of(Linear.of(3, 3).noBias()), List.of("a"), "b", Map.of("weight", "tied"))
                .build("b");
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(d, Shape.of(1, 3), 1)) {
            assertEquals(1, m.params().size());
            m.params().load("tied", new float[] {2, 0, 0, 0, 2, 0, 0, 0, 2});
            Tensor y = m.forward(Tensor.of(arena, new float[] {1, 2, 3}, 1, 3), Mode.INFERENCE, arena);
            assertArrayEquals(new float[] {4, 8, 12}, y.toArray());
        }
    }

    @Test
    void malformedGraphsAreRejectedWithTheNodeName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Dag.builder("x")
                .add("late", Binary.add(), List.of("x", "y"), "z")
                .add("y", Act.relu(), "x").build("z"));
        assertTrue(e.getMessage().contains("'late'") && e.getMessage().contains("'y'"), e.getMessage());
        var shapes = assertThrows(IllegalArgumentException.class, () -> Dag.builder("x")
                .add("c", Conv2d.of(3, 4, 1), "x").add("s", Binary.add(), List.of("c", "x"), "s").build("s")
                .outputShape(Shape.of(1, 3, 4, 4)));
        assertTrue(shapes.getMessage().contains("node 's'"), shapes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dag.builder("x")
                .add("a", GraphOp.of(Linear.of(3, 3)), List.of("x"), "a", Map.of("weight", "w", "bias", "b"))
                .add("b", GraphOp.of(Linear.of(3, 4)), List.of("a"), "b", Map.of("weight", "w", "bias", "b2"))
                .build("b"), "one name bound with two shapes");
    }
}
