package dev.panamacnn.core.train;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam and AdamW with PyTorch's update ({@code torch.optim.Adam}/{@code AdamW}, no amsgrad), per
 * element at step t (from 1):
 * <pre>
 * Adam:  g = g + weightDecay·θ             AdamW: θ = θ·(1 − lr·weightDecay)
 * m = β₁·m + (1 − β₁)·g
 * v = β₂·v + (1 − β₂)·g²
 * θ = θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Element arithmetic in float, the bias corrections in double, as PyTorch does.
 */
public final class Adam implements Optimizer {
    private double lr;
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Tensor[]> moments = new HashMap<>();
    private long t;

    private Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Adam learning rate must be >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam eps and weight decay must be >= 0, got " + eps + ", " + weightDecay);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** Adam with β = (0.9, 0.999), ε = 1e-8, no weight decay (PyTorch's defaults). */
    public static Adam of(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** AdamW: decoupled weight decay, default 0.01 as in PyTorch. */
    public static Adam w(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0.01, true);
    }

    public Adam betas(double b1, double b2) {
        return new Adam(lr, b1, b2, eps, weightDecay, decoupled);
    }

    public Adam eps(double e) {
        return new Adam(lr, beta1, beta2, e, weightDecay, decoupled);
    }

    public Adam weightDecay(double wd) {
        return new Adam(lr, beta1, beta2, eps, wd, decoupled);
    }

    @Override
    public void step(Variables params, Gradients grads) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (lr / bc1), bc2 = (float) bc2Sqrt, epsF = (float) eps;
        float b1 = (float) beta1, b2 = (float) beta2, wd = (float) weightDecay;
        float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        float decay = (float) (1 - lr * weightDecay);
        for (var e : params.asMap().entrySet()) {
            if (!grads.contains(e.getKey())) continue;
            Tensor[] mv = moments.computeIfAbsent(e.getKey(), k -> new Tensor[] {
                    Tensor.allocate(arena, e.getValue().shape()), Tensor.allocate(arena, e.getValue().shape())});
            MemorySegment p = e.getValue().segment(), g = grads.get(e.getKey()).segment();
            MemorySegment m = mv[0].segment(), v = mv[1].segment();
            for (long i = 0, n = e.getValue().size(); i < n; i++) {
                float th = p.getAtIndex(FLOAT, i), gi = g.getAtIndex(FLOAT, i);
                if (decoupled) th *= decay;
                else if (wd != 0) gi += wd * th;
                float mi = m.getAtIndex(FLOAT, i) * b1 + c1 * gi;
                float vi = v.getAtIndex(FLOAT, i) * b2 + c2 * gi * gi;
                m.setAtIndex(FLOAT, i, mi);
                v.setAtIndex(FLOAT, i, vi);
                float denom = (float) Math.sqrt(vi) / bc2 + epsF;
                p.setAtIndex(FLOAT, i, th - stepSize * (mi / denom));
            }
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void learningRate(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Adam learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    @Override
    public void close() {
        moments.clear();
        arena.close();
    }
}
