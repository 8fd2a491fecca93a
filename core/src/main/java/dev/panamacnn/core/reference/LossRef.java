package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Reference softmax cross-entropy, fused and numerically stable (PyTorch's
 * {@code F.cross_entropy}, mean over the batch). For logits {@code z [N, K]} and labels
 * {@code t[n] ∈ [0, K)}:
 * <pre>
 * L     = (1/N) Σ_n (logΣ_k exp(z[n,k] − max_n) + max_n − z[n, t[n]])
 * ∂L/∂z = (softmax(z[n]) − onehot(t[n])) / N
 * </pre>
 * Computing log-sum-exp after subtracting the row maximum never overflows, and the gradient never
 * goes through log(softmax), so a confident wrong answer gives a finite loss.
 */
public final class LossRef {
    private LossRef() {}

    /** Returns the mean loss; writes ∂L/∂z to {@code dlogits} when it is non-null. */
    public static double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits) {
        Checks.rank("softmaxCrossEntropy", "logits", logits, 2, "[N, classes]");
        int n = logits.dim(0), k = logits.dim(1);
        checkLabels(labels, n, k);
        if (dlogits != null) Checks.shape("softmaxCrossEntropy", "logit gradient", dlogits, logits.shape());
        MemorySegment zs = logits.segment();
        double total = 0;
        for (int b = 0; b < n; b++) {
            long base = (long) b * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, zs.getAtIndex(FLOAT, base + j));
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(zs.getAtIndex(FLOAT, base + j) - max);
            total += Math.log(sum) + max - zs.getAtIndex(FLOAT, base + labels[b]);
            if (dlogits != null) {
                MemorySegment ds = dlogits.segment();
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(zs.getAtIndex(FLOAT, base + j) - max) / sum;
                    ds.setAtIndex(FLOAT, base + j, (float) ((p - (j == labels[b] ? 1 : 0)) / n));
                }
            }
        }
        return total / n;
    }

    /** Throws unless there are {@code n} labels, each in {@code [0, classes)}. */
    public static void checkLabels(int[] labels, int n, int classes) {
        if (labels.length != n) {
            throw new IllegalArgumentException("softmaxCrossEntropy: expected " + n + " labels (the batch size),"
                    + " got " + labels.length);
        }
        for (int b = 0; b < n; b++) {
            if (labels[b] < 0 || labels[b] >= classes) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + b + " is " + labels[b]
                        + ", expected a class in [0, " + classes + ")");
            }
        }
    }
}
