package dev.panamacnn.core;

import java.util.Arrays;

/**
 * An immutable tensor shape: a list of non-negative dimensions, outermost first (NCHW for images,
 * N×F for dense activations).
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions; every dimension must be ≥ 0. */
    public static Shape of(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException(
                        "dimension " + i + " of shape " + Arrays.toString(dims) + " is negative");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; a negative axis counts from the end (-1 is the last). */
    public int dim(int axis) {
        int a = axis < 0 ? dims.length + axis : axis;
        if (a < 0 || a >= dims.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " out of range for shape " + this);
        }
        return dims[a];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements (product of the dimensions; 1 for rank 0). */
    public long size() {
        long n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Product of dimensions from {@code from} (inclusive) to the end. */
    public long sizeFrom(int from) {
        long n = 1;
        for (int i = from; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** This shape with dimension 0 replaced (e.g. a different batch size). */
    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis < 0 ? d.length + axis : axis] = value;
        return Shape.of(d);
    }

    /**
     * Resolves a reshape target against this shape's element count: at most one dimension may be
     * -1 and is inferred. Throws when the element counts differ.
     */
    public Shape reshape(int... target) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape " + Arrays.toString(target)
                            + ": only one dimension may be -1");
                }
                infer = i;
            } else if (target[i] < 0) {
                throw new IllegalArgumentException("reshape " + Arrays.toString(target)
                        + ": dimension " + i + " is negative");
            } else {
                known *= target[i];
            }
        }
        int[] out = target.clone();
        if (infer >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + this + " (" + size()
                        + " elements) to " + Arrays.toString(target));
            }
            out[infer] = Math.toIntExact(size() / known);
        }
        Shape s = Shape.of(out);
        if (s.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + this + " (" + size()
                    + " elements) to " + s + " (" + s.size() + " elements)");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** For example {@code [1, 3, 224, 224]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
