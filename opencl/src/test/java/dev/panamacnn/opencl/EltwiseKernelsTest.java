package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.testing.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activations, add, per-channel affine, softmax and copy against the reference. */
class EltwiseKernelsTest {

    /** Normal data scaled by 4, with NaN, infinities and signed zeros mixed in. */
    static void specialValues(Tensor x, long seed) {
        x.fillNormal(seed, 0f, 4f);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 6f, -100f, 100f};
        for (int i = 0; i < special.length && i * 7L < x.size(); i++) x.setFlat(i * 7L, special[i]);
    }

    @Test
    void activationMatchesReference() {
        Harness.qt(30).forAll(Cases.shapes(), Cases.anyActivation(), longs().all()).checkAssert((shape, act, seed) -> {
            Harness.Result r = Harness.run(Sequential.of(new Act(act)), shape, seed, m -> {}, x -> specialValues(x, seed));
            assertTrue(r.step().startsWith("ACT"), r.steps().toString());
            Tolerance.elementwise().assertClose(act + " " + shape, r.expected(), r.actual());
        });
    }

    /** A residual whose body ends in an activation stays an ADD (nothing to fuse into), with any activation after it. */
    @Test
    void addMatchesReference() {
        Harness.qt(25).forAll(Cases.shapes(), Cases.anyActivation(), Cases.anyActivation(), longs().all())
                .checkAssert((shape, inner, outer, seed) -> {
            Layer block = Residual.identity(Sequential.of(new Act(inner)), outer);
            Harness.Result r = Harness.run(block, shape, seed, m -> {}, x -> x.fillNormal(seed, 0f, 2f));
            assertTrue(r.steps().stream().anyMatch(s -> s.startsWith("ADD")), r.steps().toString());
            Tolerance.elementwise().assertClose("x + " + inner + "(x) then " + outer + " " + shape, r.expected(), r.actual());
        });
    }

    /** Batch-norm with nothing to fold into becomes the affine kernel; a following clamp fuses. */
    @Test
    void affineMatchesReference() {
        Harness.qt(25).forAll(Cases.shapes(), Cases.clamps(), longs().all()).checkAssert((any, act, seed) -> {
            // Batch-norm takes [N, C] or [N, C, H, W].
            Shape shape = any.rank() == 3 ? Shape.of(any.dim(0), any.dim(1), any.dim(2), 3) : any;
            int c = shape.dim(1);
            Layer bn = act.kind() == Activation.Kind.IDENTITY ? Sequential.of(BatchNorm.of(c))
                    : Sequential.of(BatchNorm.of(c), new Act(act));
            Harness.Result r = Harness.run(bn, shape, seed, m -> {
                int i = 0;
                for (var e : m.state().asMap().entrySet()) {
                    if (e.getKey().endsWith("running_var")) e.getValue().fillUniform(seed + i++, 0.25f, 4f);
                    else e.getValue().fillUniform(seed + i++, -1f, 1f);
                }
                for (Tensor t : m.params().asMap().values()) t.fillNormal(seed + i++, 0f, 1f);
            }, x -> x.fillNormal(seed, 0f, 3f));
            assertTrue(r.step().startsWith("AFFINE"), r.steps().toString());
            // The plan folds scale and shift to float first: allow for rounding of both terms.
            new Tolerance(8 * Tolerance.EPS, 64 * Tolerance.EPS, 4).assertClose("batch-norm " + shape + " " + act,
                    r.expected(), r.actual());
        });
    }

    @Test
    void softmaxMatchesReference() {
        Harness.qt(25).forAll(Cases.shapes(), integers().between(0, 3), longs().all()).checkAssert((shape, a, seed) -> {
            int axis = a % shape.rank();
            Harness.Result r = Harness.run(Sequential.of(new Softmax(axis)), shape, seed, m -> {},
                    x -> x.fillNormal(seed, 0f, 10f));
            assertTrue(r.step().startsWith("SOFTMAX"), r.steps().toString());
            Tolerance.forReduction(shape.dim(axis), 1e-3).assertClose("softmax axis " + axis + " " + shape,
                    r.expected(), r.actual());
        });
    }

    @Test
    void aModelThatOnlyReshapesCopiesOnTheDevice() {
        Shape in = Shape.of(2, 3, 5, 7);
        Harness.Result r = Harness.run(Sequential.of(new Flatten()), in, 1, m -> {}, x -> x.fillNormal(1, 0f, 1f));
        assertEquals(List.of("COPY"), r.steps().subList(1, 2).stream().map(s -> s.split(" ")[0]).toList());
        Tolerance.EXACT.assertClose("copy", r.expected(), r.actual());
    }
}
