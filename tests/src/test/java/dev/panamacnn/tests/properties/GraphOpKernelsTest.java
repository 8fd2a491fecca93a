package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled graph-operator kernels (strides and index tables worked out at compile time) give
 * what the reference layer forward gives: transpose by any permutation, slices with
 * positive and negative steps and out-of-range bounds, pads that grow and crop (all bit for
 * bit), and means over any axis set, on random shapes of rank 1–5.
 */
class GraphOpKernelsTest {

    private static void check(Layer op, Shape in, long seed, Tolerance tol) {
        Layer net = Sequential.builder().add("op", op).build();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, in, seed)) {
            Tensor x = Tensor.randomNormal(arena, seed, 0f, 2f, in.dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(SimdBackends.fastest()).threads(2))) {
                tol.assertClose(op.describe() + " on " + in, expected, plan.run(x, arena));
            }
        }
    }

    private static Shape shape(Random r) {
        int[] dims = new int[1 + r.nextInt(5)];
        for (int k = 0; k < dims.length; k++) dims[k] = 1 + r.nextInt(6);
        return Shape.of(dims);
    }

    @Test
    void transposesAreExact() {
        Props.qt(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Shape in = shape(r);
            List<Integer> p = new ArrayList<>();
            for (int k = 0; k < in.rank(); k++) p.add(k);
            Collections.shuffle(p, r);
            check(new Transpose(p.stream().mapToInt(Integer::intValue).toArray()), in, seed, Tolerance.EXACT);
        });
    }

    @Test
    void slicesAreExact() {
        Props.qt(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Shape in = shape(r);
            int axis = r.nextInt(in.rank()), d = in.dim(axis);
            long step = r.nextBoolean() ? 1 + r.nextInt(3) : -(1 + r.nextInt(3));
            // Starts and ends anywhere from well below to well above the axis (clamped as ONNX says).
            long start = r.nextInt(2 * d + 3) - d - 1, end = r.nextInt(2 * d + 3) - d - 1;
            SliceSpec spec = new SliceSpec(new int[] {axis}, new long[] {start}, new long[] {end}, new long[] {step});
            Shape out;
            try {
                out = new Slice(spec).outputShape(in);
            } catch (IllegalArgumentException empty) {
                return; // an empty slice: nothing to compute
            }
            if (out.size() == 0) return;
            check(new Slice(spec), in, seed, Tolerance.EXACT);
        });
    }

    @Test
    void padsGrowAndCropExactly() {
        Props.qt(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Shape in = shape(r);
            int[] pads = new int[2 * in.rank()];
            for (int k = 0; k < in.rank(); k++) {
                pads[k] = r.nextInt(4) - Math.min(1, in.dim(k) - 1);                 // crop at most one
                pads[in.rank() + k] = r.nextInt(4) - (in.dim(k) > 2 ? 1 : 0);
            }
            check(new Pad(pads, r.nextFloat()), in, seed, Tolerance.EXACT);
        });
    }

    @Test
    void meansOverAnyAxesMatch() {
        Props.qt(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Shape in = shape(r);
            List<Integer> axes = new ArrayList<>();
            for (int k = 0; k < in.rank(); k++) if (r.nextBoolean()) axes.add(r.nextBoolean() ? k : k - in.rank());
            if (axes.isEmpty()) axes.add(0);
            int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
            // A mean over the spatial axes of a 4-D input compiles to the vector global average
            // pool, which sums in another order: within the reduction tolerance, not bit for bit.
            check(new ReduceMean(ax, r.nextBoolean()), in, seed, Tolerance.forReduction(in.size(), 1.0));
        });
    }
}
