package dev.panamacnn.core.plan;

/**
 * A row-major walk over an index space that moves up to two element offsets with it, by
 * precomputed per-axis strides: the loop every graph-op host kernel shares. Built at compile
 * time; {@link #cursor()} gives each execution context its own index array, so runs allocate
 * nothing.
 */
final class Odometer {
    final int[] dims;
    final long[] strideA, strideB;
    final long size;

    Odometer(int[] dims, long[] strideA, long[] strideB) {
        if (strideA.length != dims.length || strideB.length != dims.length) {
            throw new IllegalArgumentException("odometer strides must match rank " + dims.length);
        }
        this.dims = dims.clone();
        this.strideA = strideA.clone();
        this.strideB = strideB.clone();
        long n = 1;
        for (int d : dims) n *= d;
        this.size = n;
    }

    /** The mutable state of one walk: the index and both offsets. */
    Cursor cursor() {
        return new Cursor();
    }

    final class Cursor {
        private final int[] idx = new int[dims.length];
        long a, b;

        void reset(long baseA, long baseB) {
            java.util.Arrays.fill(idx, 0);
            a = baseA;
            b = baseB;
        }

        /** Moves to the next index in row-major order. */
        void step() {
            for (int k = dims.length - 1; k >= 0; k--) {
                a += strideA[k];
                b += strideB[k];
                if (++idx[k] < dims[k]) return;
                a -= strideA[k] * dims[k];
                b -= strideB[k] * dims[k];
                idx[k] = 0;
            }
        }
    }
}
