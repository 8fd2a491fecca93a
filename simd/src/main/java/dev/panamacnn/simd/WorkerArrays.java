package dev.panamacnn.simd;

import java.util.Arrays;

/**
 * Heap float arrays that training kernels reuse from step to step, one per (index, slot): the
 * pixel-major buffers and per-slice sums of {@link ChannelConv} (gathers need arrays, not
 * segments). Grown on demand, never shrunk. An index is a worker or a batch slice; each is used
 * by one thread at a time, so no locking.
 */
final class WorkerArrays {
    private float[][][] arrays = new float[0][][];
    private final int slots;

    WorkerArrays(int slots) {
        this.slots = slots;
    }

    /** At least {@code size} floats for (index, slot); contents left from earlier use. */
    float[] get(int index, int slot, int size) {
        float[] a = arrays[index][slot];
        if (a == null || a.length < size) arrays[index][slot] = a = new float[size];
        return a;
    }

    /** As {@link #get}, the first {@code size} floats zeroed. */
    float[] zeroed(int index, int slot, int size) {
        float[] a = get(index, slot, size);
        Arrays.fill(a, 0, size, 0f);
        return a;
    }

    /** Makes indices {@code [0, count)} available; call from the caller's thread before a parallel run. */
    void reserve(int count) {
        if (arrays.length < count) {
            float[][][] grown = Arrays.copyOf(arrays, count);
            for (int i = arrays.length; i < count; i++) grown[i] = new float[slots][];
            arrays = grown;
        }
    }
}
