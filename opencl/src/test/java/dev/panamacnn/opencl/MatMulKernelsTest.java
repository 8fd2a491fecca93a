package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.MatMul;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** NumPy matmul of two planned tensors (x and a constant on the left, so it is not a dense layer). */
class MatMulKernelsTest {

    /** [batch…, M, K] × [batch…, K, N] with broadcast batch axes, and 1-D operands on either side. */
    @Test
    void batchedAndBroadcastMatMulMatchesReference() {
        Harness.qt(40).forAll(longs().all()).checkAssert(seed -> {
            RandomGenerator r = Tensor.rng(seed);
            int m = 1 + r.nextInt(9), k = 1 + r.nextInt(17), n = 1 + r.nextInt(9);
            int batchRank = r.nextInt(3);
            int[] batch = new int[batchRank];
            for (int i = 0; i < batchRank; i++) batch[i] = 1 + r.nextInt(4);
            Shape a = r.nextInt(5) == 0 ? Shape.of(k) : Shape.of(concat(thin(batch, r), m, k));
            Shape b = r.nextInt(5) == 0 ? Shape.of(k) : Shape.of(concat(thin(batch, r), k, n));
            boolean xLeft = r.nextBoolean() && (a.rank() != 2 || b.rank() != 2); // else it lowers to a dense layer
            Shape x = xLeft ? a : b, c = xLeft ? b : a;
            List<String> ins = xLeft ? List.of("x", "c0") : List.of("c0", "x");
            Harness.Result res = Harness.run(GraphCases.graph(new MatMul(), List.of(c), ins), x, seed,
                    mod -> Harness.integerParams(mod, seed), t -> Harness.integers(t, seed, -4, 4));
            String what = "matmul " + a + " × " + b;
            assertTrue(res.steps().stream().anyMatch(s -> s.startsWith("MATMUL")), what + ": " + res.steps());
            // Small integers: every sum is exact.
            dev.panamacnn.core.testing.Tolerance.EXACT.assertClose(what, res.expected(), res.actual());
        });
    }

    /** Some batch axes dropped from the front or set to 1, so the operands broadcast against each other. */
    private static int[] thin(int[] batch, RandomGenerator r) {
        int drop = r.nextInt(batch.length + 1);
        int[] out = new int[batch.length - drop];
        for (int i = 0; i < out.length; i++) out[i] = r.nextInt(3) == 0 ? 1 : batch[drop + i];
        return out;
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }
}
