package dev.panamacnn.core.io;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: tensor entries (dtype, shape, byte range in the data
 * section) and optional string metadata. Parsing validates everything the data read relies on.
 */
record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";
    /** The reference implementation's limit; a real header is a few KiB. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /** One tensor: bytes {@code [begin, end)} of the data section hold it. */
    record Entry(String name, Shape shape, long begin, long end) {}

    /**
     * Parses and validates a header whose data section is {@code dataBytes} long; entries come
     * back in data order. {@code source} names the file in messages.
     */
    static SafetensorsHeader parse(byte[] utf8, long dataBytes, Object source)
            throws SafetensorsFormatException {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(source + ": header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source + ": malformed JSON header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new SafetensorsFormatException(source + ": header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (var e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(e.getValue(), source);
            } else {
                entries.add(entry(name, e.getValue(), dataBytes, source));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkLayout(entries, dataBytes, source);
        return new SafetensorsHeader(List.copyOf(entries), metadata);
    }

    private static Map<String, String> metadata(Object value, Object source)
            throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(source + ": " + METADATA_KEY + " is not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafetensorsFormatException(source + ": " + METADATA_KEY + " value of "
                        + Json.quote((String) e.getKey()) + " is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String name, Object value, long dataBytes, Object source)
            throws SafetensorsFormatException {
        String where = source + ": tensor " + Json.quote(name);
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(where + " is not an object");
        }
        for (Object key : map.keySet()) {
            if (!ENTRY_KEYS.contains(key)) {
                throw new SafetensorsFormatException(where + " has unknown field "
                        + Json.quote((String) key) + " (expected dtype, shape, data_offsets)");
            }
        }
        if (!(map.get("dtype") instanceof String dtype)) {
            throw new SafetensorsFormatException(where + " has no string dtype");
        }
        if (!dtype.equals("F32")) {
            throw new SafetensorsFormatException(where + " has dtype " + dtype
                    + "; only F32 (float32) is supported — convert with tensor.float() before saving");
        }
        long[] dims = integers(map.get("shape"), -1, where + " shape");
        long[] offsets = integers(map.get("data_offsets"), 2, where + " data_offsets");
        int[] intDims = new int[dims.length];
        long bytes = Float.BYTES;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException(where + " has dimension " + dims[i]
                        + " out of range");
            }
            intDims[i] = (int) dims[i];
            try {
                bytes = Math.multiplyExact(bytes, dims[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException(where + " shape is too large");
            }
        }
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new SafetensorsFormatException(where + " data_offsets [" + begin + ", " + end
                    + "] are not a range within the " + dataBytes + "-byte data section");
        }
        if (end - begin != bytes) {
            Shape shape = Shape.of(intDims);
            throw new SafetensorsFormatException(where + " of shape " + shape + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, Shape.of(intDims), begin, end);
    }

    private static long[] integers(Object value, int length, String what)
            throws SafetensorsFormatException {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new SafetensorsFormatException(what + " is missing or not an array"
                    + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v)) {
                throw new SafetensorsFormatException(what + " holds a non-integer");
            }
            out[i] = v;
        }
        return out;
    }

    /** Tensors must tile the data section exactly: from 0, no gap, no overlap, to the end. */
    private static void checkLayout(List<Entry> sorted, long dataBytes, Object source)
            throws SafetensorsFormatException {
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < at) {
                throw new SafetensorsFormatException(source + ": tensors " + Json.quote(previous.name())
                        + " and " + Json.quote(e.name()) + " overlap in the data section");
            }
            if (e.begin() > at) {
                throw new SafetensorsFormatException(source + ": bytes [" + at + ", " + e.begin()
                        + ") of the data section belong to no tensor");
            }
            at = e.end();
            previous = e;
        }
        if (at != dataBytes) {
            throw new SafetensorsFormatException(source + ": the data section holds " + dataBytes
                    + " bytes but the tensors cover " + at);
        }
    }

    /**
     * The header for {@code tensors} laid out one after another in map order, UTF-8, padded with
     * spaces to a multiple of 8 bytes so the data starts aligned (as the reference writer does).
     */
    static byte[] format(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder b = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            b.append(Json.quote(METADATA_KEY)).append(":{");
            String sep = "";
            for (var e : metadata.entrySet()) {
                b.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                sep = ",";
            }
            b.append('}');
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (b.length() > 1) b.append(',');
            Tensor t = e.getValue();
            long end = offset + t.size() * Float.BYTES;
            b.append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int i = 0; i < t.rank(); i++) b.append(i > 0 ? "," : "").append(t.dim(i));
            b.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        b.append('}');
        byte[] utf8 = b.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (utf8.length + 7) & ~7;
        byte[] out = Arrays.copyOf(utf8, padded);
        Arrays.fill(out, utf8.length, padded, (byte) ' ');
        return out;
    }
}
