package dev.panamacnn.core.io;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding
 * little-endian float32 arrays in C order — what {@code numpy.save} writes for a
 * {@code float32} array and what PyTorch tensors become via {@code .numpy()}.
 *
 * <p>Anything else (another dtype, big-endian, Fortran order, a truncated file) is rejected with
 * an {@link NpyFormatException} that names what was found.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** No sane header is larger; guards against absurd declared lengths. */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** Reads a float32 C-order {@code .npy} file into a new tensor in {@code arena}. */
    public static Tensor read(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = readFully(ch, 10, file, "preamble");
            byte[] magic = new byte[6];
            pre.get(magic);
            for (int i = 0; i < MAGIC.length; i++) {
                if (magic[i] != MAGIC[i]) {
                    throw new NpyFormatException(file + ": not a .npy file (bad magic string)");
                }
            }
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            long headerLen;
            int preambleLen;
            if (major == 1) {
                headerLen = pre.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xffff;
                preambleLen = 10;
            } else if (major == 2 || major == 3) {
                ByteBuffer rest = readFully(ch, 2, file, "preamble");
                ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                len.put(pre.array(), 8, 2).put(rest.array(), 0, 2).flip();
                headerLen = len.getInt() & 0xffffffffL;
                preambleLen = 12;
            } else {
                throw new NpyFormatException(file + ": unsupported .npy format version "
                        + major + "." + minor + " (supported: 1.0, 2.0, 3.0)");
            }
            if (headerLen > MAX_HEADER || preambleLen + headerLen > fileSize) {
                throw new NpyFormatException(file + ": header length " + headerLen
                        + " is larger than the file (" + fileSize + " bytes)");
            }
            ByteBuffer hb = readFully(ch, (int) headerLen, file, "header");
            String header = new String(hb.array(),
                    major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Shape shape = parseHeader(header, file);

            long dataBytes = Math.multiplyExact(shape.size(), (long) Float.BYTES);
            long available = fileSize - preambleLen - headerLen;
            if (available != dataBytes) {
                throw new NpyFormatException(file + ": shape " + shape + " needs " + dataBytes
                        + " bytes of float32 data but the file holds " + available);
            }
            Tensor t = Tensor.allocate(arena, shape);
            ByteBuffer dst = t.segment().asByteBuffer();
            while (dst.hasRemaining()) {
                if (ch.read(dst) < 0) {
                    throw new NpyFormatException(file + ": truncated data");
                }
            }
            return t;
        }
    }

    static Shape parseHeader(String header, Object source) throws NpyFormatException {
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new NpyFormatException(source + ": malformed .npy header: " + header.strip());
        }
        String descr = d.group(1);
        if (!descr.equals("<f4")) {
            throw new NpyFormatException(source + ": dtype '" + descr
                    + "' is not supported; expected little-endian float32 '<f4'"
                    + " (convert with array.astype('<f4'))");
        }
        if (f.group(1).equals("True")) {
            throw new NpyFormatException(source
                    + ": Fortran-ordered arrays are not supported; expected C order"
                    + " (save numpy.ascontiguousarray(array))");
        }
        String body = s.group(1).strip();
        if (body.isEmpty()) {
            return Shape.of();
        }
        String[] parts = body.split(",");
        int n = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
        int[] dims = new int[n];
        for (int i = 0; i < n; i++) {
            try {
                long v = Long.parseLong(parts[i].strip().replace("L", ""));
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new NpyFormatException(source + ": dimension " + v + " out of range");
                }
                dims[i] = (int) v;
            } catch (NumberFormatException e) {
                throw new NpyFormatException(source + ": malformed shape (" + body + ")");
            }
        }
        return Shape.of(dims);
    }

    /** Writes {@code t} as a version 1.0 (or 2.0 for huge headers) {@code .npy} file. */
    public static void write(Path file, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) {
            shape.append(t.dim(i)).append(t.rank() == 1 ? "," : i + 1 < t.rank() ? ", " : "");
        }
        shape.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        // Pad with spaces and a newline so the data starts on a 64-byte boundary.
        int preamble = dict.length() + 1 + 10 <= 65535 ? 10 : 12;
        int total = preamble + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer head = ByteBuffer.allocate(preamble + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) (preamble == 10 ? 1 : 2)).put((byte) 0);
        if (preamble == 10) {
            head.putShort((short) header.length());
        } else {
            head.putInt(header.length());
        }
        head.put(header.getBytes(StandardCharsets.ISO_8859_1)).flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (head.hasRemaining()) {
                ch.write(head);
            }
            ByteBuffer data = t.segment().asByteBuffer();
            while (data.hasRemaining()) {
                ch.write(data);
            }
        }
    }

    private static ByteBuffer readFully(FileChannel ch, int n, Path file, String what)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new NpyFormatException(file + ": truncated " + what + " (file too short)");
            }
        }
        return b.flip();
    }
}
