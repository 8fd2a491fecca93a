package dev.panamacnn.core.data;

import static dev.panamacnn.core.data.IdxFiles.gzip;
import static dev.panamacnn.core.data.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdxTest {
    private static final byte[] DATA = {0, 1, 2, (byte) 200, (byte) 255, 7};

    private static Idx.UnsignedBytes read(byte[] file, int rank) throws IOException {
        return Idx.read(new ByteArrayInputStream(file), rank, "test.idx");
    }

    private static String failure(byte[] file, int rank) {
        return assertThrows(IdxFormatException.class, () -> read(file, rank)).getMessage();
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] file = idx(new int[] {2, 3}, DATA);
        for (byte[] f : new byte[][] {file, gzip(file)}) {
            Idx.UnsignedBytes a = read(f, 2);
            assertArrayEquals(new int[] {2, 3}, a.dims());
            assertArrayEquals(DATA, a.data());
            assertEquals(200, a.get(3));
            assertEquals(255, a.get(4));
        }
    }

    @Test
    void rejectsWhatIsNotAnUnsignedByteIdxOfTheExpectedRank() {
        assertTrue(failure(idx(0x12340803, new int[] {1, 2, 3}, DATA), 3).contains("not an IDX file"));
        assertTrue(failure(idx(0x0D02, new int[] {2, 3}, DATA), 2).contains("float32"));
        assertTrue(failure(idx(new int[] {2, 3}, DATA), 3).contains("2 dimensions, expected 3"));
        assertTrue(failure(idx(new int[] {-1, 3}, DATA), 2).contains("negative"));
        assertTrue(failure(new byte[] {0, 0, 8}, 1).contains("truncated header"));
    }

    @Test
    void dataMustBeExactlyAsLongAsTheDimensionsSay() {
        assertTrue(failure(idx(new int[] {2, 4}, DATA), 2).contains("need 8 bytes of data, found 6"));
        assertTrue(failure(idx(new int[] {5}, DATA), 1).contains("trailing bytes"));
        byte[] gz = gzip(idx(new int[] {2, 3}, DATA));
        assertTrue(failure(Arrays.copyOf(gz, gz.length - 12), 2).contains("gzip"));
    }

    @Test
    void absurdDimensionsFailWithoutExhaustingMemory() {
        // 2^30 × 2^30 bytes cannot exist; 2^30 bytes could, but only 6 are there.
        assertTrue(failure(idx(new int[] {1 << 30, 1 << 30}, DATA), 2).contains("exceed"));
        assertTrue(failure(idx(new int[] {1 << 30, 1}, DATA), 2).contains("found 6"));
    }
}
