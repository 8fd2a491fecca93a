package dev.panamacnn.tools.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.data.MnistDataset;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped digits are the ones the README describes. */
class MnistResourcesTest {
    @Test
    void shipsTenThousandDigitsSplitAsDocumented() throws IOException {
        MnistDataset all = MnistResources.load();
        assertEquals(10_000, all.size());
        assertEquals(28, all.rows());
        assertArrayEquals(new int[] {0, 6, 0, 7, 9}, java.util.Arrays.copyOf(all.labels(), 5));
        MnistDataset.Split split = all.split();
        assertEquals(8000, split.train().size());
        int[] perClass = new int[10];
        for (int y : split.test().labels()) perClass[y]++;
        assertArrayEquals(new int[] {199, 231, 220, 211, 199, 159, 184, 208, 213, 176}, perClass);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = all.images(arena);
            assertEquals(Shape.of(10_000, 1, 28, 28), x.shape());
            double sum = 0;
            for (long i = 0; i < x.size(); i++) sum += x.getFlat(i);
            assertEquals(0.13113, sum / x.size(), 1e-5); // README: pixel mean 0.1311
        }
    }

    @Test
    void readsTheSameFilesFromADirectory() throws IOException {
        Path dir = Path.of("src/main/resources/dev/panamacnn/tools/mnist");
        assertArrayEquals(MnistResources.load().labels(), MnistResources.load(dir).labels());
    }
}
