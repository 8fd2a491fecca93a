package dev.panamacnn.core.io;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes checkpoints in the safetensors format (Hugging Face): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"__metadata__": {"k": "v"}, "conv1.weight": {"dtype": "F32", "shape": [6, 1, 5, 5],
 * "data_offsets": [0, 600]}, ...}}), then the tensors' raw little-endian bytes. Only float32
 * ({@code F32}) tensors are supported; names are PyTorch {@code state_dict} names, so
 * {@code safetensors.torch.load_file} reads what we write and the other way round.
 *
 * <p>Reading validates everything before trusting it — header length, UTF-8, JSON, dtype,
 * shapes against byte ranges, ranges that tile the data section exactly — and fails with a
 * {@link SafetensorsFormatException}; memory is only allocated for tensors the file really
 * holds. Writing goes to a temporary file that replaces the target at the end, so an
 * interrupted save never leaves a half-written checkpoint under the real name.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The tensors of a file in data order, and its {@code __metadata__} (empty if none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Writes {@code tensors} (in map order) and string {@code metadata} to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        for (String name : tensors.keySet()) {
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor may not be named "
                        + SafetensorsHeader.METADATA_KEY);
            }
        }
        byte[] header = SafetensorsHeader.format(tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        // Not Files.createTempFile: its owner-only permissions would stick to the checkpoint.
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(header.length).flip());
                writeFully(ch, ByteBuffer.wrap(header));
                for (Tensor t : tensors.values()) {
                    writeFully(ch, t.segment().asByteBuffer()); // native order = little-endian
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes the variables of every set, e.g. a model's parameters and its state, as one
     * checkpoint (the way a PyTorch {@code state_dict} holds both). Names must not repeat.
     */
    public static void write(Path file, Map<String, String> metadata, Variables... sets)
            throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Variables v : sets) {
            for (var e : v.asMap().entrySet()) {
                if (all.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    throw new IllegalArgumentException("variable '" + e.getKey()
                            + "' appears in more than one set");
                }
            }
        }
        write(file, all, metadata);
    }

    /** Reads every tensor of {@code file} into new tensors in {@code arena}. */
    public static Contents read(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Layout layout = layout(ch, file);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry e : layout.header.entries()) {
                Tensor t = Tensor.allocate(arena, e.shape());
                readFully(ch, t, layout.dataStart + e.begin(), file);
                tensors.put(e.name(), t);
            }
            return new Contents(Collections.unmodifiableMap(tensors), layout.header.metadata());
        }
    }

    /**
     * Loads {@code file} into existing variables (e.g. {@code model.params()} and
     * {@code model.state()}): every tensor in the file must match a variable's name and shape,
     * and every variable must be in the file. All of that is checked before any value is
     * copied, so a mismatched checkpoint leaves the variables as they were. Returns the
     * file's metadata.
     */
    public static Map<String, String> readInto(Path file, Variables... targets) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Layout layout = layout(ch, file);
            Map<String, Tensor> all = new LinkedHashMap<>();
            for (Variables v : targets) {
                for (var e : v.asMap().entrySet()) {
                    if (all.putIfAbsent(e.getKey(), e.getValue()) != null) {
                        throw new IllegalArgumentException("variable '" + e.getKey()
                                + "' appears in more than one set");
                    }
                }
            }
            Map<String, Tensor> wanted = new LinkedHashMap<>(all);
            List<String> problems = new ArrayList<>();
            for (SafetensorsHeader.Entry e : layout.header.entries()) {
                Tensor t = wanted.remove(e.name());
                if (t == null) {
                    problems.add("unexpected tensor '" + e.name() + "'");
                } else if (!t.shape().equals(e.shape())) {
                    problems.add("'" + e.name() + "' has shape " + e.shape() + " in the file, "
                            + t.shape() + " in the model");
                }
            }
            for (String missing : wanted.keySet()) problems.add("missing tensor '" + missing + "'");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(file + " does not fit the model: "
                        + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                        + (problems.size() > 10 ? "; ... (" + problems.size() + " problems)" : ""));
            }
            for (SafetensorsHeader.Entry e : layout.header.entries()) {
                readFully(ch, all.get(e.name()), layout.dataStart + e.begin(), file);
            }
            return layout.header.metadata();
        }
    }

    private record Layout(SafetensorsHeader header, long dataStart) {}

    private static Layout layout(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafetensorsFormatException(file + ": " + size
                    + " bytes is too short for a safetensors file (8-byte header length first)");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, file);
        long n = len.flip().getLong(); // an unsigned u64 above 2^63 reads negative: rejected too
        if (n < 2 || n > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(file + ": header length "
                    + Long.toUnsignedString(n) + " is out of range (2.."
                    + SafetensorsHeader.MAX_HEADER_BYTES + " bytes)");
        }
        if (n > size - 8) {
            throw new SafetensorsFormatException(file + ": header length " + n
                    + " runs past the end of the " + size + "-byte file");
        }
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(ch, header, 8, file);
        return new Layout(SafetensorsHeader.parse(header.array(), size - 8 - n, file), 8 + n);
    }

    private static void readFully(FileChannel ch, Tensor t, long position, Path file)
            throws IOException {
        readFully(ch, t.segment().asByteBuffer(), position, file);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, Path file)
            throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, position);
            if (r < 0) {
                throw new SafetensorsFormatException(file + ": file ended early (did it shrink while being read?)");
            }
            position += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) ch.write(src);
    }
}
