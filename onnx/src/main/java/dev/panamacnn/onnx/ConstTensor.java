package dev.panamacnn.onnx;

import java.util.Arrays;

/**
 * A tensor known at load time: an initializer, a {@code Constant}, or the result of folding a
 * shape computation. Floating-point data is held as {@code float[]}, integer and boolean data
 * as {@code long[]} (so INT64_MAX slice ends stay exact); exactly one of the two is non-null.
 */
record ConstTensor(int[] dims, float[] floats, long[] longs) {
    /** Largest constant the folder will create: guards against absurd shapes in ConstantOfShape, Expand… */
    static final long MAX_ELEMENTS = 1L << 28;

    ConstTensor {
        long n = size(dims);
        if ((floats == null) == (longs == null)) throw new IllegalStateException("exactly one data array");
        if ((floats != null ? floats.length : longs.length) != n) {
            throw new IllegalStateException("data length does not match dims " + Arrays.toString(dims));
        }
    }

    static long size(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new OnnxFormatException("negative dimension in " + Arrays.toString(dims));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static ConstTensor ofFloats(int[] dims, float[] v) {
        return new ConstTensor(dims.clone(), v, null);
    }

    static ConstTensor ofLongs(int[] dims, long[] v) {
        return new ConstTensor(dims.clone(), null, v);
    }

    static ConstTensor vector(long... v) {
        return ofLongs(new int[] {v.length}, v);
    }

    boolean isFloat() {
        return floats != null;
    }

    int size() {
        return floats != null ? floats.length : longs.length;
    }

    int rank() {
        return dims.length;
    }

    /** The values as longs (floats truncated toward zero, as a Cast would). */
    long[] asLongs() {
        if (longs != null) return longs;
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) out[i] = (long) floats[i];
        return out;
    }

    float[] asFloats() {
        if (floats != null) return floats;
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) out[i] = longs[i];
        return out;
    }

    /** Element {@code i} as a double (for scalars such as clip bounds). */
    double get(int i) {
        return floats != null ? floats[i] : longs[i];
    }

    /** A tensor of the same type with elements {@code src[map[i]]} and shape {@code newDims}. */
    ConstTensor select(int[] map, int[] newDims) {
        if (floats != null) {
            float[] v = new float[map.length];
            for (int i = 0; i < map.length; i++) v[i] = floats[map[i]];
            return ofFloats(newDims, v);
        }
        long[] v = new long[map.length];
        for (int i = 0; i < map.length; i++) v[i] = longs[map[i]];
        return ofLongs(newDims, v);
    }

    ConstTensor reshape(int[] newDims) {
        return floats != null ? ofFloats(newDims, floats) : ofLongs(newDims, longs);
    }

    @Override
    public String toString() {
        String data = floats != null ? Arrays.toString(Arrays.copyOf(floats, Math.min(8, floats.length)))
                : Arrays.toString(Arrays.copyOf(longs, Math.min(8, longs.length)));
        return (floats != null ? "float" : "int") + Arrays.toString(dims) + " " + data + (size() > 8 ? "…" : "");
    }
}
