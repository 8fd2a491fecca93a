package dev.panamacnn.tests.train;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Scope;
import dev.panamacnn.core.train.Gradients;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.StepArena;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;
import dev.panamacnn.core.train.TrainingKernels;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a layer's analytic gradients (float forward and backward through the {@link Tape})
 * against central differences of the independent double-precision forward {@link DoubleNet}:
 * for the scalar {@code L = Σ r·y} with a random upstream gradient r, every component of
 * ∂L/∂x and of every ∂L/∂θ is compared with {@code (L(v + h) − L(v − h)) / 2h} computed in double.
 */
final class GradCheck {
    /** Small enough that a kink (ReLU at 0, a max-pool near-tie) is rarely inside ±h; double keeps rounding far below. */
    private static final double H = 1e-5;

    private GradCheck() {}

    /** Fails with the worst component when any gradient is off. */
    static void check(Layer layer, Shape in, long seed, TrainingKernels kernels) {
        // Shared: the simd kernels' worker threads read the input.
        try (Arena arena = Arena.ofShared(); Model m = Model.init(layer, in, seed); StepArena step = new StepArena()) {
            randomize(m, seed);
            Tensor x = Tensor.randomNormal(arena, seed ^ 0x5DEECE66DL, 0f, 1f, in.dims());
            Shape outShape = layer.outputShape(in);
            float[] r = Tensor.randomNormal(arena, seed + 17, 0f, 1f, outShape.dims()).toArray();
            Mode mode = Mode.training(seed);
            Map<String, double[]> p = new HashMap<>();
            m.params().asMap().forEach((k, v) -> p.put(k, toDouble(v.toArray())));
            // The float forward updates batch-norm's running statistics; the double one never reads them.
            Gradients g = Gradients.like(m.params(), arena);
            Tape tape = new Tape(kernels, g, step);
            Pass pass = Trainable.checked(layer).forward(tape, Scope.root(m.params(), m.state(), mode, step), x, true);
            Tensor dx = pass.backward().apply(Tensor.of(arena, r, outShape.dims()));

            Scope scope = Scope.root(m.params(), m.state(), mode, arena);
            double[] xd = toDouble(x.toArray());
            Objective f = () -> dot(r, DoubleNet.forward(layer, scope, p, new DoubleNet.D(in.dims(), xd)).v());
            compare("input", dx.toArray(), numeric(xd, f), layer, in);
            for (String name : m.params().names()) {
                compare(name, g.get(name).toArray(), numeric(p.get(name), f), layer, in);
            }
        }
    }

    @FunctionalInterface
    interface Objective {
        double value();
    }

    /**
     * Central differences of {@code f} with respect to every element of {@code v} (perturbed in
     * place). Where f has a kink within ±h of v (a ReLU input or a batch-norm'd value at 0: with
     * the batch coupled through batch-norm, one such value moves every weight upstream of it) the
     * one-sided slopes disagree; the step is then cut to h/4 and h/16, which leaves a kink that
     * was merely nearby, and only a kink closer than h/16 gives NaN: no single derivative exists
     * there to check.
     */
    static double[] numeric(double[] v, Objective f) {
        double[] d = new double[v.length];
        double at = f.value();
        for (int i = 0; i < v.length; i++) {
            double keep = v[i];
            d[i] = Double.NaN;
            for (double h = H; h >= H / 16; h /= 4) {
                v[i] = keep + h;
                double up = f.value();
                v[i] = keep - h;
                double down = f.value();
                double right = (up - at) / h, left = (at - down) / h;
                // Smooth: the one-sided slopes differ by about f''·h, far below compare's tolerance.
                if (Math.abs(right - left) <= 1e-3 * Math.max(Math.abs(right), Math.abs(left)) + 1e-5) {
                    d[i] = (up - down) / (2 * h);
                    break;
                }
            }
            v[i] = keep;
        }
        return d;
    }

    /** |analytic − numeric| ≤ 1e-3·|numeric| + 1e-4·max|numeric| (float backward vs exact derivative). */
    static void compare(String what, float[] analytic, double[] numeric, Object layer, Shape in) {
        if (analytic.length != numeric.length) {
            throw new AssertionError(what + ": " + analytic.length + " analytic vs " + numeric.length + " numeric values");
        }
        double scale = 1e-2;
        int kinks = 0;
        for (double v : numeric) {
            if (Double.isNaN(v)) kinks++;
            else scale = Math.max(scale, Math.abs(v));
        }
        if (kinks > analytic.length / 4 + 1) {
            throw new AssertionError(what + ": " + kinks + " of " + analytic.length + " components sit on a kink;"
                    + " too few left to check");
        }
        for (int i = 0; i < analytic.length; i++) {
            if (Double.isNaN(numeric[i])) { // a kink: no derivative to compare with, but still a number
                if (!Float.isFinite(analytic[i])) {
                    throw new AssertionError(what + ": element " + i + " analytic " + analytic[i] + " at a kink");
                }
                continue;
            }
            double bound = 1e-3 * Math.abs(numeric[i]) + 1e-4 * scale;
            if (!(Math.abs(analytic[i] - numeric[i]) <= bound)) {
                throw new AssertionError(String.format("%s of %s on %s: element %d analytic %.8g, numeric %.8g"
                        + " (|diff| %.3g > %.3g)", what, layer instanceof Layer l ? l.describe() : layer, in, i,
                        analytic[i], numeric[i], Math.abs(analytic[i] - numeric[i]), bound));
            }
        }
    }

    /** Weights Kaiming (from init), every 1-D parameter random too, γ around 1, so no gradient is trivially zero. */
    static void randomize(Model m, long seed) {
        for (var e : m.params().asMap().entrySet()) {
            Tensor t = e.getValue();
            if (t.rank() >= 2) continue;
            long s = seed * 31 + e.getKey().hashCode();
            boolean gamma = e.getKey().endsWith("weight");
            t.fillUniform(s, gamma ? 0.5f : -0.5f, gamma ? 1.5f : 0.5f);
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
