package dev.panamacnn.opencl;

import java.util.ArrayList;
import java.util.List;

/**
 * A row-major walk over {@code dims} that reads one or more operands through per-axis element
 * strides, simplified for the kernels: size-1 axes are dropped and neighbouring axes merged
 * wherever every operand steps across them as one ({@code stride[k-1] == stride[k]·dims[k]}), so
 * a broadcast of [1, C, H, W] with [1, C, 1, 1] walks two axes, and a plain copy one.
 * {@link #table()} is the int table the kernels read: dims, then each operand's strides.
 */
record Strided(int[] dims, int[][] strides) {

    static Strided of(int[] dims, long[]... strides) {
        List<int[]> axes = new ArrayList<>(); // per kept axis: dim, then one stride per operand
        for (int k = 0; k < dims.length; k++) {
            if (dims[k] == 1) continue;
            int[] axis = new int[1 + strides.length];
            axis[0] = dims[k];
            for (int o = 0; o < strides.length; o++) axis[1 + o] = Math.toIntExact(strides[o][k]);
            if (!axes.isEmpty() && mergeable(axes.getLast(), axis)) {
                int[] prev = axes.getLast();
                prev[0] *= axis[0];
                for (int o = 1; o < axis.length; o++) prev[o] = axis[o];
            } else {
                axes.add(axis);
            }
        }
        int r = axes.size();
        int[] d = new int[r];
        int[][] s = new int[strides.length][r];
        for (int k = 0; k < r; k++) {
            d[k] = axes.get(k)[0];
            for (int o = 0; o < strides.length; o++) s[o][k] = axes.get(k)[1 + o];
        }
        return new Strided(d, s);
    }

    private static boolean mergeable(int[] outer, int[] inner) {
        for (int o = 1; o < outer.length; o++) {
            if ((long) outer[o] != (long) inner[o] * inner[0]) return false;
        }
        return true;
    }

    int rank() {
        return dims.length;
    }

    int[] table() {
        int r = dims.length;
        int[] t = new int[r * (1 + strides.length)];
        System.arraycopy(dims, 0, t, 0, r);
        for (int o = 0; o < strides.length; o++) System.arraycopy(strides[o], 0, t, r * (1 + o), r);
        return t;
    }
}
