package dev.panamacnn.core.data;

import static dev.panamacnn.core.data.IdxFiles.gzip;
import static dev.panamacnn.core.data.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDatasetTest {
    /** Five 2×3 images; pixel (i, r, c) = 50 i + 3 r + c, labels 4, 0, 9, 1, 1. */
    private static final int N = 5;
    private static final byte[] LABELS = {4, 0, 9, 1, 1};

    private static byte[] pixels() {
        byte[] p = new byte[N * 6];
        for (int i = 0; i < N; i++)
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < 3; c++) p[i * 6 + r * 3 + c] = (byte) (50 * i + 3 * r + c);
        return p;
    }

    private static MnistDataset read(byte[] images, byte[] labels) throws IOException {
        return MnistDataset.read(new ByteArrayInputStream(images), "images",
                new ByteArrayInputStream(labels), "labels");
    }

    private static MnistDataset sample() throws IOException {
        return read(gzip(idx(new int[] {N, 2, 3}, pixels())), idx(new int[] {N}, LABELS));
    }

    @Test
    void imagesBecomeAFloatTensorNchwWithValuesZeroToOne() throws IOException {
        MnistDataset d = sample();
        assertEquals(N, d.size());
        assertArrayEquals(new int[] {4, 0, 9, 1, 1}, d.labels());
        assertEquals(203, d.pixel(4, 1, 0));
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = d.images(arena);
            assertEquals(Shape.of(N, 1, 2, 3), x.shape());
            assertEquals((float) (203 / 255.0), x.get(4, 0, 1, 0));
            assertEquals(0f, x.get(0, 0, 0, 0));
            Tensor z = d.images(arena, new MnistDataset.Normalization(0.5f, 0.25f));
            assertEquals((float) ((203 / 255.0 - 0.5) / 0.25), z.get(4, 0, 1, 0));
        }
    }

    @Test
    void splitsAndSlicesAreViewsInFileOrder() throws IOException {
        MnistDataset.Split s = sample().split(3);
        assertArrayEquals(new int[] {4, 0, 9}, s.train().labels());
        assertArrayEquals(new int[] {1, 1}, s.test().labels());
        assertEquals(150, s.test().pixel(0, 0, 0));
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = s.test().images(arena);
            assertEquals(Shape.of(2, 1, 2, 3), x.shape());
            assertEquals((float) (205 / 255.0), x.get(1, 0, 1, 2));
        }
        assertThrows(IllegalArgumentException.class, () -> sample().split(6));
        assertTrue(assertThrows(IllegalStateException.class, () -> sample().split())
                .getMessage().contains("10000"));
    }

    @Test
    void readsFiles(@TempDir Path dir) throws IOException {
        Path images = Files.write(dir.resolve("i.gz"), gzip(idx(new int[] {N, 2, 3}, pixels())));
        Path labels = Files.write(dir.resolve("l"), idx(new int[] {N}, LABELS));
        assertEquals(9, MnistDataset.read(images, labels).label(2));
    }

    @Test
    void rejectsMismatchedOrInvalidLabels() {
        byte[] images = idx(new int[] {N, 2, 3}, pixels());
        String msg = assertThrows(IdxFormatException.class,
                () -> read(images, idx(new int[] {4}, new byte[] {1, 2, 3, 4}))).getMessage();
        assertTrue(msg.contains("4 labels") && msg.contains("5 images"), msg);
        msg = assertThrows(IdxFormatException.class,
                () -> read(images, idx(new int[] {N}, new byte[] {1, 2, 10, 4, 5}))).getMessage();
        assertTrue(msg.contains("label 10 at index 2"), msg);
    }

    @Test
    void normalizationNeedsAPositiveStd() {
        assertThrows(IllegalArgumentException.class, () -> new MnistDataset.Normalization(0f, 0f));
    }
}
