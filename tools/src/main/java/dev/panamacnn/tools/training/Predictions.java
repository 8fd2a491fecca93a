package dev.panamacnn.tools.training;

import dev.panamacnn.core.Tensor;

/** Classes from logits, and how many of two class lists agree. */
public final class Predictions {
    private Predictions() {}

    /** For logits {@code [N, K]}: the class with the largest score per row (the first, on ties). */
    public static int[] argmax(Tensor logits) {
        if (logits.rank() != 2) throw new IllegalArgumentException("logits expected [N, classes], got " + logits.shape());
        int n = logits.dim(0), k = logits.dim(1);
        int[] classes = new int[n];
        for (int b = 0; b < n; b++) {
            long row = (long) b * k;
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (logits.getFlat(row + j) > logits.getFlat(row + best)) best = j;
            }
            classes[b] = best;
        }
        return classes;
    }

    /** How many positions of {@code a} and {@code b} (same length) hold the same class. */
    public static int agreeing(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("cannot compare " + a.length + " with " + b.length + " classes");
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return same;
    }
}
