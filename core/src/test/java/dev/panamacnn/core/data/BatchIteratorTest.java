package dev.panamacnn.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
    /** Sample i is a 2×3 block filled with i; its label is i % 10 + 100 * (i / 10). */
    private static Tensor data(Arena arena, int n) {
        Tensor x = Tensor.allocate(arena, Shape.of(n, 2, 3));
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 6; k++) x.setFlat(i * 6L + k, i);
        return x;
    }

    private static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 10 + 100 * (i / 10);
        return y;
    }

    /** The sample indices of every batch of one epoch, checking inputs match labels. */
    private static List<int[]> epoch(BatchIterator it, int e) {
        List<int[]> out = new ArrayList<>();
        it.startEpoch(e);
        while (it.next()) {
            Tensor x = it.inputs();
            int[] y = it.labels();
            assertEquals(y.length, x.dim(0));
            assertEquals(y.length, it.size());
            int[] ids = new int[y.length];
            for (int k = 0; k < y.length; k++) {
                ids[k] = (int) x.get(k, 1, 2);
                assertEquals(ids[k], x.get(k, 0, 0));
                assertEquals(ids[k] % 10 + 100 * (ids[k] / 10), y[k]);
            }
            out.add(ids);
        }
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void inOrderVisitsEverySampleOnceWithASmallerLastBatch() {
        try (Arena arena = Arena.ofConfined()) {
            BatchIterator it = BatchIterator.inOrder(data(arena, 23), labels(23), 5, arena);
            assertEquals(5, it.batchesPerEpoch());
            assertEquals(23, it.samplesPerEpoch());
            List<int[]> b = epoch(it, 0);
            assertEquals(5, b.size());
            assertEquals(3, b.get(4).length);
            int[] expected = new int[23];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, flat(b));
            assertArrayEquals(flat(b), flat(epoch(it, 7)));
        }
    }

    @Test
    void shuffledIsAPermutationThatDependsOnlyOnSeedAndEpoch() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = data(arena, 50);
            BatchIterator a = BatchIterator.shuffled(x, labels(50), 8, 42, false, arena);
            BatchIterator b = BatchIterator.shuffled(x, labels(50), 8, 42, false, arena);
            int[] e0 = flat(epoch(a, 0)), e1 = flat(epoch(a, 1));
            int[] sorted = e0.clone();
            Arrays.sort(sorted);
            int[] all = new int[50];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted);
            assertFalse(Arrays.equals(all, e0), "epoch 0 is shuffled");
            assertFalse(Arrays.equals(e0, e1), "each epoch has its own order");
            // The same (seed, epoch) gives the same order, whatever ran before.
            assertArrayEquals(e1, flat(epoch(b, 1)));
            assertArrayEquals(e0, flat(epoch(b, 0)));
            BatchIterator c = BatchIterator.shuffled(x, labels(50), 8, 43, false, arena);
            assertNotEquals(Arrays.toString(e0), Arrays.toString(flat(epoch(c, 0))));
        }
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        try (Arena arena = Arena.ofConfined()) {
            BatchIterator it = BatchIterator.shuffled(data(arena, 23), labels(23), 5, 1, true, arena);
            assertEquals(4, it.batchesPerEpoch());
            assertEquals(20, it.samplesPerEpoch());
            List<int[]> b = epoch(it, 3);
            assertEquals(4, b.size());
            assertTrue(b.stream().allMatch(ids -> ids.length == 5));
            assertThrows(IllegalArgumentException.class,
                    () -> BatchIterator.shuffled(data(arena, 4), labels(4), 5, 1, true, arena));
        }
    }

    @Test
    void misuseIsReported() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = data(arena, 10);
            assertThrows(IllegalArgumentException.class, () -> BatchIterator.inOrder(x, labels(9), 4, arena));
            assertThrows(IllegalArgumentException.class, () -> BatchIterator.inOrder(x, labels(10), 0, arena));
            BatchIterator it = BatchIterator.inOrder(x, labels(10), 4, arena);
            assertThrows(IllegalStateException.class, it::next);
            it.startEpoch(0);
            assertThrows(IllegalStateException.class, it::inputs);
        }
    }

    @Test
    void aWarmedUpEpochAllocatesNothing() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            BatchIterator it = BatchIterator.shuffled(data(arena, 1000), labels(1000), 64, 5, false, arena);
            long bytes = -1;
            for (int round = 0; round < 40 && bytes != 0; round++) {
                for (int i = 0; i < 20; i++) drain(it);
                long before = mx.getCurrentThreadAllocatedBytes();
                drain(it);
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            // startEpoch creates one generator per epoch; the batches themselves allocate nothing.
            assertTrue(bytes < 512, "bytes allocated by a warmed-up epoch: " + bytes);
        }
    }

    private static float drain(BatchIterator it) {
        float sum = 0;
        it.startEpoch(0);
        while (it.next()) sum += it.inputs().getFlat(0) + it.labels()[0];
        return sum;
    }
}
