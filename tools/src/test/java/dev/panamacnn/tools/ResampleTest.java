package dev.panamacnn.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResampleTest {
    @Test
    void theSameSizeIsACopy() {
        float[] v = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(v, Resample.bilinear(v, 3, 2, 3, 2));
    }

    /** Shrinking by 3 averages over the whole footprint (no aliasing): a 1-pixel checkerboard becomes flat grey. */
    @Test
    void shrinkingAveragesEverySourcePixel() {
        int n = 84;
        float[] board = new float[n * n];
        for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) board[y * n + x] = (x + y) % 2;
        float[] small = Resample.bilinear(board, n, n, 28, 28);
        for (int i = 1; i < 27; i++) assertEquals(0.5f, small[i * 28 + i], 0.12f, "pixel " + i);
        float[] constant = Resample.bilinear(new float[] {7, 7, 7, 7, 7, 7}, 3, 2, 5, 4);
        for (float c : constant) assertEquals(7f, c, 1e-5f);
    }

    @Test
    void enlargingInterpolatesBetweenCentres() {
        float[] row = Resample.bilinear(new float[] {0, 1}, 2, 1, 4, 1);
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, row, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Resample.bilinear(new float[3], 2, 2, 1, 1));
    }
}
