package dev.panamacnn.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes, the format of the MNIST distribution: a big-endian magic
 * number {@code 0x0000 08 R} (type 0x08 = unsigned byte, R dimensions), R big-endian int32
 * dimensions, then the bytes in row-major order. Gzip'd input ({@code .gz}) is recognised by its
 * first two bytes and decompressed on the fly.
 *
 * <p>Everything is checked: the magic, the element type, the rank the caller expects, that the
 * data is exactly as long as the dimensions say (no truncation, no trailing bytes). Memory is
 * only committed for bytes actually present, so a header that declares absurd dimensions fails
 * with an {@link IdxFormatException} instead of exhausting the heap.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    /** Largest array a Java {@code byte[]} holds. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    /** An unsigned-byte IDX array: its dimensions and its data (row-major, values 0..255). */
    public record UnsignedBytes(int[] dims, byte[] data) {
        public int dim(int axis) {
            return dims[axis];
        }

        /** The element at flat position {@code i}, as 0..255. */
        public int get(int i) {
            return data[i] & 0xff;
        }
    }

    /**
     * Reads one unsigned-byte IDX array of rank {@code rank} from {@code in} (plain or gzip'd),
     * consuming the stream to its end. {@code source} names the input in error messages.
     */
    public static UnsignedBytes read(InputStream in, int rank, String source) throws IOException {
        try {
            DataInputStream data = new DataInputStream(decompressed(in));
            int magic = readHeaderInt(data, source, "magic number");
            if ((magic >>> 16) != 0) {
                throw new IdxFormatException(String.format(
                        "%s: not an IDX file (magic number 0x%08x does not start with two zero bytes)",
                        source, magic));
            }
            int type = (magic >>> 8) & 0xff;
            if (type != UNSIGNED_BYTE) {
                throw new IdxFormatException(String.format(
                        "%s: IDX element type 0x%02x (%s) is not supported; expected 0x08 (unsigned byte)",
                        source, type, typeName(type)));
            }
            int fileRank = magic & 0xff;
            if (fileRank != rank) {
                throw new IdxFormatException(source + ": IDX array has " + fileRank
                        + " dimensions, expected " + rank);
            }
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = readHeaderInt(data, source, "dimension " + i);
                if (dims[i] < 0) {
                    throw new IdxFormatException(source + ": dimension " + i + " is negative ("
                            + Integer.toUnsignedString(dims[i]) + " read as unsigned)");
                }
                count *= dims[i]; // at most (2^31)^i; checked against MAX_BYTES each step
                if (count > MAX_BYTES) {
                    throw new IdxFormatException(source + ": dimensions "
                            + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " exceed "
                            + MAX_BYTES + " bytes");
                }
            }
            // readNBytes grows its buffer as bytes arrive, so a lying header cannot force a
            // huge allocation: a short stream simply returns fewer bytes.
            byte[] bytes = data.readNBytes((int) count);
            if (bytes.length != count) {
                throw new IdxFormatException(source + ": truncated: dimensions "
                        + Arrays.toString(dims) + " need " + count + " bytes of data, found "
                        + bytes.length);
            }
            if (data.read() >= 0) {
                throw new IdxFormatException(source + ": trailing bytes after the "
                        + count + " bytes that dimensions " + Arrays.toString(dims) + " need");
            }
            return new UnsignedBytes(dims, bytes);
        } catch (ZipException | EOFException e) {
            throw new IdxFormatException(source + ": corrupt or truncated gzip stream ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The stream itself, or a gunzipping view when it starts with the gzip magic 1f 8b. */
    private static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        }
        return buffered;
    }

    private static int readHeaderInt(DataInputStream in, String source, String what)
            throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new IdxFormatException(source + ": truncated header (file ends in the "
                    + what + ")");
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "unknown";
        };
    }
}
