package dev.panamacnn.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads files NumPy wrote (tools/npy/make_npy_fixtures.py) and round-trips our own. */
class NpyTest {
    private static final Path DIR = Path.of("src/test/resources/npy");

    private static float[] expected() {
        float[] e = new float[24];
        for (int i = 0; i < 24; i++) e[i] = i / 8f - 1;
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_f32_2x3x4.npy", "v2_f32_2x3x4.npy", "v3_f32_2x3x4.npy"})
    void readsEveryFormatVersionNumPyWrites(String file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.read(DIR.resolve(file), arena);
            assertEquals(Shape.of(2, 3, 4), t.shape());
            assertArrayEquals(expected(), t.toArray());
            assertEquals(0, t.segment().address() % 64);
        }
    }

    @Test
    void readsScalarsAndVectors() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor s = Npy.read(DIR.resolve("scalar_f32.npy"), arena);
            assertEquals(Shape.of(), s.shape());
            assertEquals(3.5f, s.getFlat(0));
            Tensor v = Npy.read(DIR.resolve("vector_f32_5.npy"), arena);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5}, v.toArray());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "bad_f64.npy, '<f8'",
        "bad_int32.npy, '<i4'",
        "bad_bigendian.npy, '>f4'",
        "bad_fortran.npy, Fortran",
        "bad_truncated.npy, needs 96 bytes",
        "bad_magic.npy, bad magic",
    })
    void rejectsWhatItCannotReadAndSaysWhatItFound(String file, String mentioned) {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(NpyFormatException.class, () -> Npy.read(DIR.resolve(file), arena));
            assertTrue(e.getMessage().contains(mentioned), e.getMessage());
            assertTrue(e.getMessage().contains(file), "message names the file: " + e.getMessage());
        }
    }

    @Test
    void absurdDeclaredShapeIsRejectedBeforeAllocating(@TempDir Path tmp) throws IOException {
        byte[] data = Files.readAllBytes(DIR.resolve("v1_f32_2x3x4.npy"));
        String header = new String(data, 10, data[8] & 0xff, java.nio.charset.StandardCharsets.ISO_8859_1);
        String huge = header.replace("(2, 3, 4)", "(2000000, 30000, 4)");
        byte[] patched = data.clone();
        byte[] hb = huge.substring(0, header.length()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(hb, 0, patched, 10, hb.length);
        Path f = tmp.resolve("huge.npy");
        Files.write(f, patched);
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(NpyFormatException.class, () -> Npy.read(f, arena));
            assertTrue(e.getMessage().contains("[2000000, 30000, 4]"), e.getMessage());
        }
    }

    @Test
    void roundTripsAnyShape(@TempDir Path tmp) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] dims : new int[][] {{}, {7}, {1, 1}, {2, 3, 5, 7}, {0, 3}}) {
                Tensor t = Tensor.randomNormal(arena, 5, 0f, 1f, dims);
                Path f = tmp.resolve("t.npy");
                Npy.write(f, t);
                assertEquals(0, (Files.size(f) - t.size() * 4) % 64, "data starts 64-byte aligned");
                Tensor back = Npy.read(f, arena);
                assertEquals(t.shape(), back.shape());
                assertArrayEquals(t.toArray(), back.toArray());
            }
        }
    }

    @Test
    void writesWhatNumPyReadsBack() throws IOException {
        // Our writer's header must equal the one numpy.save produced for the same array.
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.read(DIR.resolve("v1_f32_2x3x4.npy"), arena);
            Path f = Files.createTempFile("npy", ".npy");
            try {
                Npy.write(f, t);
                assertArrayEquals(Files.readAllBytes(DIR.resolve("v1_f32_2x3x4.npy")), Files.readAllBytes(f));
            } finally {
                Files.delete(f);
            }
        }
    }
}
