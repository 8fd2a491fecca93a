package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.quicktheories.QuickTheory;

/**
 * Runs a small model twice: compiled on the shared OpenCL backend, and through the layer API's
 * reference forward pass (the specification). Each property builds a model that lowers to the
 * one kernel under test and checks the plan's steps say so.
 */
final class Harness {
    private Harness() {}

    /** The two results and the compiled steps. */
    record Result(float[] expected, float[] actual, List<String> steps) {
        /** The single compute step (between the two transfers). */
        String step() {
            if (steps.size() != 3) throw new AssertionError("expected transfer, one op, transfer; got " + steps);
            return steps.get(1);
        }
    }

    /** QuickTheories with a modest example count, overridable with {@code -DQT_EXAMPLES=n}. */
    static QuickTheory qt(int examples) {
        QuickTheory q = QuickTheory.qt();
        if (System.getProperty("QT_EXAMPLES") == null) q = q.withExamples(examples);
        if (System.getProperty("QT_SHRINKS") == null) q = q.withShrinkCycles(100);
        return q;
    }

    static Result run(Layer layer, Shape input, long seed, Consumer<Model> setup, Consumer<Tensor> fillInput) {
        return run(OpenClTests.backend(), layer, input, seed, setup, fillInput);
    }

    static Result run(OpenClBackend cl, Layer layer, Shape input, long seed, Consumer<Model> setup,
                      Consumer<Tensor> fillInput) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(layer, input, seed)) {
            setup.accept(m);
            Tensor x = Tensor.allocate(arena, input);
            fillInput.accept(x);
            float[] expected = m.forward(x, Mode.INFERENCE, arena).toArray();
            try (CompiledModel plan = Compiler.compile(m, input, CompileOptions.of(cl))) {
                return new Result(expected, plan.run(x, arena).toArray(), plan.steps());
            }
        }
    }

    /** Small integers in [lo, hi]: float sums of them are exact, so results can be compared bit for bit. */
    static void integers(Tensor t, long seed, int lo, int hi) {
        RandomGenerator r = Tensor.rng(seed);
        for (long i = 0; i < t.size(); i++) t.setFlat(i, lo + r.nextInt(hi - lo + 1));
    }

    /** Every parameter and state tensor of the model filled with small integers. */
    static void integerParams(Model m, long seed) {
        int i = 0;
        for (Tensor t : m.params().asMap().values()) integers(t, seed + i++, -2, 2);
    }
}
