package dev.panamacnn.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Round trips, files Python wrote (tools/safetensors/make_safetensors_fixtures.py), malformed files. */
class SafetensorsTest {
    private static final Path DIR = Path.of("src/test/resources/safetensors");
    private static final Map<String, String> METADATA = Map.of(
            "format", "pt", "note", "Grüße \"quoted\" \\ back\tslash");

    @TempDir Path tmp;

    /** The fixture's tensors, by name, as float32 bit patterns. */
    private static Map<String, int[]> expectedBits() {
        int[] conv = new int[18];
        for (int i = 0; i < 18; i++) conv[i] = Float.floatToRawIntBits(i / 8f - 1);
        return Map.of(
                "conv1.weight", conv,
                "conv1.bias", bits(0.5f, -2.25f),
                "bn.num_batches_tracked_as_float", bits(7f),
                "empty", new int[0],
                // -0, smallest subnormal, max, 1/3, a NaN with a payload, -inf
                "fc.weight", new int[] {0x80000000, 0x00000001, 0x7F7FFFFF, 0x3EAAAAAB, 0x7FC00001, 0xFF800000});
    }

    private static final Map<String, Shape> SHAPES = Map.of(
            "conv1.weight", Shape.of(2, 1, 3, 3), "conv1.bias", Shape.of(2),
            "bn.num_batches_tracked_as_float", Shape.of(), "empty", Shape.of(0, 4),
            "fc.weight", Shape.of(2, 3));

    private static int[] bits(float... v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    private static int[] bits(Tensor t) {
        int[] b = new int[(int) t.size()];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(t.getFlat(i));
        return b;
    }

    /** The fixture's tensors in the reference writer's order (sorted by name). */
    private static Map<String, Tensor> fixtureTensors(Arena arena) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String name : List.of("bn.num_batches_tracked_as_float", "conv1.bias", "conv1.weight",
                "empty", "fc.weight")) {
            Tensor t = Tensor.allocate(arena, SHAPES.get(name));
            int[] b = expectedBits().get(name);
            for (int i = 0; i < b.length; i++) t.setFlat(i, Float.intBitsToFloat(b[i]));
            m.put(name, t);
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"spec_f32.safetensors", "torch_f32.safetensors"})
    void readsFilesPythonWroteBitForBit(String file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Safetensors.Contents c = Safetensors.read(DIR.resolve(file), arena);
            assertEquals(METADATA, c.metadata());
            assertEquals(SHAPES.keySet(), c.tensors().keySet());
            for (var e : c.tensors().entrySet()) {
                assertEquals(SHAPES.get(e.getKey()), e.getValue().shape(), e.getKey());
                assertArrayEquals(expectedBits().get(e.getKey()), bits(e.getValue()), e.getKey());
            }
        }
    }

    @Test
    void writesTheSameBytesAsTheReferenceImplementation() throws IOException {
        Path out = tmp.resolve("ours.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            // The reference wrote the metadata in this order (its map is unordered).
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("note", METADATA.get("note"));
            meta.put("format", "pt");
            Safetensors.write(out, fixtureTensors(arena), meta);
        }
        assertArrayEquals(Files.readAllBytes(DIR.resolve("torch_f32.safetensors")), Files.readAllBytes(out));
    }

    @Test
    void roundTripsTensorsAndMetadataWithAnAlignedHeader() throws IOException {
        Path out = tmp.resolve("rt.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("b", Tensor.randomNormal(arena, 1, 0, 1, 3, 5));
            in.put("a.weight", Tensor.randomNormal(arena, 2, 0, 1, 7));
            Safetensors.write(out, in, Map.of("k", "v"));
            Safetensors.Contents c = Safetensors.read(out, arena);
            assertEquals(List.of("b", "a.weight"), List.copyOf(c.tensors().keySet()));
            for (String k : in.keySet()) assertArrayEquals(bits(in.get(k)), bits(c.tensors().get(k)));
            assertEquals(Map.of("k", "v"), c.metadata());
            Safetensors.write(out, in, Map.of()); // overwrites; no __metadata__ at all
            assertEquals(Map.of(), Safetensors.read(out, arena).metadata());
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(out), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 4 * (15 + 7), Files.size(out));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void readIntoLoadsParametersAndStateOrLeavesThemUntouched() throws IOException {
        Path out = tmp.resolve("ckpt.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Variables params = new Variables(), state = new Variables();
            params.add("conv.weight", Tensor.randomNormal(arena, 3, 0, 1, 2, 3));
            state.add("bn.running_mean", Tensor.randomNormal(arena, 4, 0, 1, 3));
            Safetensors.write(out, Map.of("epoch", "3"), params, state);

            Variables p2 = new Variables(), s2 = new Variables();
            p2.add("conv.weight", Tensor.zeros(arena, 2, 3));
            s2.add("bn.running_mean", Tensor.zeros(arena, 3));
            assertEquals(Map.of("epoch", "3"), Safetensors.readInto(out, p2, s2));
            assertArrayEquals(params.get("conv.weight").toArray(), p2.get("conv.weight").toArray());
            assertArrayEquals(state.get("bn.running_mean").toArray(), s2.get("bn.running_mean").toArray());

            Variables wrong = new Variables();
            wrong.add("conv.weight", Tensor.zeros(arena, 3, 2));
            wrong.add("fc.bias", Tensor.zeros(arena, 1));
            String msg = assertThrows(IllegalArgumentException.class, () -> Safetensors.readInto(out, wrong))
                    .getMessage();
            assertTrue(msg.contains("'conv.weight' has shape [2, 3] in the file, [3, 2] in the model")
                    && msg.contains("unexpected tensor 'bn.running_mean'")
                    && msg.contains("missing tensor 'fc.bias'"), msg);
            assertArrayEquals(new float[6], wrong.get("conv.weight").toArray(), "untouched");
            assertThrows(IllegalArgumentException.class,
                    () -> Safetensors.write(out, Map.of(), params, params));
        }
    }

    @Test
    void aTensorCannotBeNamedLikeTheMetadata() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Safetensors.write(tmp.resolve("x"),
                    Map.of("__metadata__", Tensor.zeros(arena, 1)), Map.of()));
        }
    }

    // ------------------------------------------------------------ malformed files

    private Path file(long headerLength, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h);
        return Files.write(tmp.resolve("bad.safetensors"), b.array());
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static String failure(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            return assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(p, arena)).getMessage();
        }
    }

    private static String t(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void rejectsAbsurdOrInconsistentHeaderLengthsWithoutAllocatingThem() throws IOException {
        assertTrue(failure(Files.write(tmp.resolve("short"), new byte[5])).contains("too short"));
        assertTrue(failure(file(-1L, "{}", 0)).contains("header length 18446744073709551615 is out of range"));
        assertTrue(failure(file(1L << 40, "{}", 0)).contains("out of range"));
        assertTrue(failure(file(64, "{}", 0)).contains("runs past the end"));
    }

    @Test
    void rejectsHeadersThatAreNotTheSchema() throws IOException {
        assertTrue(failure(file("[1]", 0)).contains("not a JSON object"));
        assertTrue(failure(file("{\"a\":", 0)).contains("malformed JSON header"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 0, 4) + "} x", 4)).contains("after the JSON value"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("a", "F32", "[1]", 0, 4) + "}", 4))
                .contains("duplicate key"));
        assertTrue(failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4))
                .contains("unknown field \"x\""));
        assertTrue(failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)).contains("data_offsets is missing"));
        assertTrue(failure(file("{\"__metadata__\":{\"k\":1}}", 0)).contains("is not a string"));
        assertTrue(failure(file("{" + t("h", "F16", "[2]", 0, 4) + "}", 4)).contains("dtype F16; only F32"));
        byte[] latin1 = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        Path p = Files.write(tmp.resolve("latin1"), ByteBuffer.allocate(8 + latin1.length)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(latin1.length).put(latin1).array());
        assertTrue(failure(p).contains("not valid UTF-8"));
    }

    @Test
    void rejectsRangesThatDoNotMatchShapesOrTileTheData() throws IOException {
        assertTrue(failure(file("{" + t("a", "F32", "[2,3]", 0, 20) + "}", 20)).contains("needs 24 bytes"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 0, 4) + "}", 2)).contains("not a range within"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 8, 4) + "}", 8)).contains("not a range within"));
        assertTrue(failure(file("{" + t("a", "F32", "[-1]", 0, 4) + "}", 4)).contains("out of range"));
        assertTrue(failure(file("{" + t("a", "F32", "[2147483647,2147483647,4]", 0, 4) + "}", 4))
                .contains("too large"));
        assertTrue(failure(file("{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[1]", 4, 8) + "}", 8))
                .contains("overlap"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 4, 8) + "}", 8)).contains("bytes [0, 4)"));
        assertTrue(failure(file("{" + t("a", "F32", "[1]", 0, 4) + "}", 12)).contains("holds 12 bytes"));
    }
}
