package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.reference.SoftmaxRef;
import dev.panamacnn.core.testing.Tolerance;
import java.io.IOException;
import java.lang.foreign.Arena;

/**
 * Golden checks for the per-element and per-row ops: activations ({@link EltwiseRef}), add,
 * softmax ({@link SoftmaxRef}) and linear ({@link DenseRef}).
 */
final class EltwiseGolden {
    private EltwiseGolden() {}

    static void activation(GoldenCase c, Arena arena) throws IOException {
        String kind = c.string("kind");
        Activation act = switch (kind) {
            case "relu" -> Activation.RELU;
            case "relu6" -> Activation.RELU6;
            case "clip" -> Activation.clip(c.real("min"), c.real("max"));
            case "sigmoid" -> Activation.SIGMOID;
            case "tanh" -> Activation.TANH;
            default -> throw new IllegalStateException(c + ": unknown activation " + kind);
        };
        Tolerance tol = switch (kind) {
            case "sigmoid", "tanh" -> GoldenTolerances.transcendental();
            default -> GoldenTolerances.exact();
        };
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        tol.assertClose(c + " " + act, expected, EltwiseRef.activation(x, act, arena));
    }

    static void add(GoldenCase c, Arena arena) throws IOException {
        Tensor a = c.array("a", arena), b = c.array("b", arena), expected = c.array("y", arena);
        GoldenTolerances.exact().assertClose(c + " add", expected, EltwiseRef.add(a, b, arena));
    }

    static void softmax(GoldenCase c, Arena arena) throws IOException {
        int axis = c.integer("axis");
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = SoftmaxRef.softmax(x, axis, arena);
        GoldenTolerances.softmax(x.dim(axis)).assertClose(c + " softmax", expected, actual);
    }

    static void linear(GoldenCase c, Arena arena) throws IOException {
        Tensor x = c.array("x", arena), w = c.array("w", arena), expected = c.array("y", arena);
        Tensor bias = c.flag("bias") ? c.array("b", arena) : null;
        if (c.flag("bias") != c.hasArray("b")) {
            throw new IllegalStateException(c + ": bias flag disagrees with b.npy");
        }
        Tensor actual = DenseRef.linear(x, w, bias, arena);
        GoldenTolerances.dot(x.dim(1), x, w).assertClose(c + " linear", expected, actual);
    }
}
