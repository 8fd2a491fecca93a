package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import java.lang.foreign.Arena;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Property 5: pooling has no parameters and no hidden state. Its output depends only on its input
 * (the same values, even in another tensor, give the same bits; the input is left untouched), and
 * it treats channels independently and alike: permuting input channels permutes output channels.
 */
class PoolingPurityTest {

    private static Tensor pool(boolean max, Tensor x, Pool2dSpec spec, Arena arena) {
        return max ? PoolRef.maxPool2d(x, spec, arena) : PoolRef.avgPool2d(x, spec, arena);
    }

    /** A seeded permutation of 0..c-1 that is not the identity when c > 1. */
    private static int[] permutation(int c, long seed) {
        int[] perm = new int[c];
        for (int i = 0; i < c; i++) perm[i] = i;
        RandomGenerator rng = Tensor.rng(seed);
        for (int i = c - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        boolean identity = true;
        for (int i = 0; i < c; i++) identity &= perm[i] == i;
        if (identity && c > 1) {
            perm[0] = 1;
            perm[1] = 0;
        }
        return perm;
    }

    /** out[:, i] = x[:, perm[i]]. */
    private static Tensor permuteChannels(Tensor x, int[] perm, Arena arena) {
        int n = x.dim(0), c = x.dim(1);
        long plane = x.shape().sizeFrom(2);
        Tensor out = Tensor.allocate(arena, x.shape());
        for (int b = 0; b < n; b++)
            for (int i = 0; i < c; i++)
                for (long k = 0; k < plane; k++)
                    out.setFlat(((long) b * c + i) * plane + k, x.getFlat(((long) b * c + perm[i]) * plane + k));
        return out;
    }

    @Test
    void poolingDependsOnlyOnTheInput() {
        Props.qt(150).forAll(Gens.poolCases()).checkAssert(pc -> {
            for (boolean max : new boolean[] {true, false}) {
                try (Arena arena = Arena.ofConfined(); Arena other = Arena.ofConfined()) {
                    Tensor x = pc.input(arena);
                    float[] before = x.toArray();
                    float[] first = pool(max, x, pc.spec(), arena).toArray();
                    assertArrayEquals(before, x.toArray(), "input unchanged");
                    assertArrayEquals(first, pool(max, x, pc.spec(), arena).toArray(), "second call");
                    assertArrayEquals(first, pool(max, x.copy(other), pc.spec(), other).toArray(), "copy");
                }
            }
        });
    }

    @Test
    void permutingChannelsPermutesTheOutput() {
        Props.qt(150).forAll(Gens.poolCases(), Gens.seeds()).checkAssert((pc, permSeed) -> {
            int[] perm = permutation(pc.c(), permSeed);
            for (boolean max : new boolean[] {true, false}) {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor x = pc.input(arena);
                    Tensor pooledThenPermuted = permuteChannels(pool(max, x, pc.spec(), arena), perm, arena);
                    Tensor permutedThenPooled = pool(max, permuteChannels(x, perm, arena), pc.spec(), arena);
                    assertArrayEquals(pooledThenPermuted.toArray(), permutedThenPooled.toArray(),
                            (max ? "max" : "avg") + " pool with channel permutation " + java.util.Arrays.toString(perm));
                }
            }
        });
    }
}
