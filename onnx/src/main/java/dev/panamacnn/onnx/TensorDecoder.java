package dev.panamacnn.onnx;

import com.google.protobuf.ByteString;
import dev.panamacnn.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Decodes a {@link TensorProto} into a {@link ConstTensor}: from {@code raw_data}
 * (little-endian), from the typed fields ({@code float_data}, {@code int64_data}, …), or from an
 * external-data file next to the model. Every declared size is checked against the bytes that
 * are really there before anything is allocated.
 */
final class TensorDecoder {
    private TensorDecoder() {}

    static ConstTensor decode(TensorProto t, Path modelDir) {
        String name = t.getName().isEmpty() ? "(unnamed tensor)" : "'" + t.getName() + "'";
        int[] dims = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new OnnxFormatException("tensor " + name + ": dimension " + i + " is " + d);
            }
            dims[i] = (int) d;
            n = multiply(n, d, name, t);
        }
        DataType type = DataType.forNumber(t.getDataType());
        int width = type == null ? 0 : switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case INT64, UINT64, DOUBLE -> 8;
            case INT8, UINT8, BOOL -> 1;
            case INT16, UINT16, FLOAT16 -> 2;
            default -> 0;
        };
        if (width == 0) {
            throw new OnnxFormatException("tensor " + name + ": data type " + (type == null ? t.getDataType() : type)
                    + " is not supported (supported: FLOAT, FLOAT16, DOUBLE, INT8/16/32/64, UINT8/16/32/64, BOOL)");
        }
        if (n > ConstTensor.MAX_ELEMENTS * 4) {
            throw new OnnxFormatException("tensor " + name + " declares " + n + " elements (dims "
                    + Arrays.toString(dims) + "), more than panama-cnn accepts");
        }
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, name, n * width, modelDir);
        } else if (t.hasRawData()) {
            ByteString b = t.getRawData();
            if (b.size() != n * width) {
                throw new OnnxFormatException("tensor " + name + " of " + type + Arrays.toString(dims) + " needs "
                        + n * width + " bytes of raw_data, the file holds " + b.size());
            }
            raw = b.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int count = (int) n;
        return switch (type) {
            case FLOAT -> ConstTensor.ofFloats(dims, raw != null ? floats(raw, count) : typed(t.getFloatDataList(), count, name));
            case DOUBLE -> ConstTensor.ofFloats(dims, raw != null ? doubles(raw, count) : doubles(t, count, name));
            case FLOAT16 -> ConstTensor.ofFloats(dims, halves(raw, t, count, name));
            default -> ConstTensor.ofLongs(dims, integers(type, raw, t, count, name));
        };
    }

    private static long multiply(long n, long d, String name, TensorProto t) {
        try {
            return Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            throw new OnnxFormatException("tensor " + name + ": dims " + t.getDimsList() + " overflow");
        }
    }

    private static ByteBuffer external(TensorProto t, String name, long bytes, Path modelDir) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { } // checksum and others: not needed to read
                }
            } catch (NumberFormatException ex) {
                throw new OnnxFormatException("tensor " + name + ": external-data " + e.getKey() + " '" + e.getValue()
                        + "' is not a number");
            }
        }
        if (location == null || modelDir == null) {
            throw new OnnxFormatException("tensor " + name + ": external data without a location"
                    + (modelDir == null ? " (or the model was not read from a file)" : ""));
        }
        Path dir = modelDir.toAbsolutePath().normalize();
        Path file = dir.resolve(location).normalize();
        if (!file.startsWith(dir)) {
            throw new OnnxFormatException("tensor " + name + ": external-data location '" + location
                    + "' points outside the model's directory");
        }
        if (length < 0) length = bytes;
        if (offset < 0 || length != bytes) {
            throw new OnnxFormatException("tensor " + name + " needs " + bytes + " bytes, external data declares offset "
                    + offset + " and length " + length);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset + length > ch.size()) {
                throw new OnnxFormatException("tensor " + name + ": external data " + file.getFileName() + " holds "
                        + ch.size() + " bytes, the tensor needs bytes " + offset + " to " + (offset + length));
            }
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) throw new OnnxFormatException("tensor " + name + ": external data truncated");
            }
            return b.flip();
        } catch (IOException e) {
            throw new OnnxFormatException("tensor " + name + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    private static float[] floats(ByteBuffer raw, int n) {
        float[] v = new float[n];
        raw.asFloatBuffer().get(v);
        return v;
    }

    private static float[] doubles(ByteBuffer raw, int n) {
        float[] v = new float[n];
        var d = raw.asDoubleBuffer();
        for (int i = 0; i < n; i++) v[i] = (float) d.get(i);
        return v;
    }

    private static float[] typed(java.util.List<Float> data, int n, String name) {
        checkCount(data.size(), n, "float_data", name);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = data.get(i);
        return v;
    }

    private static float[] doubles(TensorProto t, int n, String name) {
        checkCount(t.getDoubleDataCount(), n, "double_data", name);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) t.getDoubleData(i);
        return v;
    }

    /** FLOAT16 is stored as raw bytes or as the low 16 bits of int32_data. */
    private static float[] halves(ByteBuffer raw, TensorProto t, int n, String name) {
        float[] v = new float[n];
        if (raw != null) {
            for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(raw.getShort(2 * i));
        } else {
            checkCount(t.getInt32DataCount(), n, "int32_data", name);
            for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat((short) t.getInt32Data(i));
        }
        return v;
    }

    private static long[] integers(DataType type, ByteBuffer raw, TensorProto t, int n, String name) {
        long[] v = new long[n];
        if (raw != null) {
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case INT64, UINT64 -> raw.getLong(8 * i);
                    case INT32 -> raw.getInt(4 * i);
                    case UINT32 -> raw.getInt(4 * i) & 0xffffffffL;
                    case INT16 -> raw.getShort(2 * i);
                    case UINT16 -> raw.getShort(2 * i) & 0xffff;
                    case INT8 -> raw.get(i);
                    default -> raw.get(i) & 0xff; // UINT8, BOOL
                };
            }
        } else if (type == DataType.INT64) {
            checkCount(t.getInt64DataCount(), n, "int64_data", name);
            for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
        } else if (type == DataType.UINT64 || type == DataType.UINT32) {
            checkCount(t.getUint64DataCount(), n, "uint64_data", name);
            for (int i = 0; i < n; i++) v[i] = t.getUint64Data(i);
        } else {
            checkCount(t.getInt32DataCount(), n, "int32_data", name);
            for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
        }
        return v;
    }

    private static void checkCount(int have, int n, String field, String name) {
        if (have != n) {
            throw new OnnxFormatException("tensor " + name + " needs " + n + " values, its " + field + " holds " + have);
        }
    }
}
