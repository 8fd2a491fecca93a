package dev.panamacnn.core.train;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} update, per element:
 * <pre>
 * d = g + weightDecay·θ
 * b = d                                   (first step)
 * b = momentum·b + (1 − dampening)·d      (later steps)
 * d = nesterov ? d + momentum·b : b       (when momentum ≠ 0)
 * θ = θ − lr·d
 * </pre>
 * Arithmetic in float in that order. Build with {@link #of(double)} and the {@code with}
 * methods: {@code Sgd.of(0.01).momentum(0.9).nesterov(true)}.
 */
public final class Sgd implements Optimizer {
    private double lr;
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Tensor> buffers = new HashMap<>();

    private Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        if (!(lr >= 0)) throw new IllegalArgumentException("SGD learning rate must be >= 0, got " + lr);
        if (!(momentum >= 0)) throw new IllegalArgumentException("SGD momentum must be >= 0, got " + momentum);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("SGD weight decay must be >= 0, got " + weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Plain SGD. */
    public static Sgd of(double lr) {
        return new Sgd(lr, 0, 0, 0, false);
    }

    public Sgd momentum(double m) {
        return new Sgd(lr, m, dampening, weightDecay, nesterov);
    }

    public Sgd dampening(double d) {
        return new Sgd(lr, momentum, d, weightDecay, nesterov);
    }

    public Sgd weightDecay(double wd) {
        return new Sgd(lr, momentum, dampening, wd, nesterov);
    }

    public Sgd nesterov(boolean on) {
        return new Sgd(lr, momentum, dampening, weightDecay, on);
    }

    @Override
    public void step(Variables params, Gradients grads) {
        float lrF = (float) lr, mom = (float) momentum, damp = (float) (1 - dampening), wd = (float) weightDecay;
        for (var e : params.asMap().entrySet()) {
            if (!grads.contains(e.getKey())) continue;
            MemorySegment p = e.getValue().segment(), g = grads.get(e.getKey()).segment();
            long n = e.getValue().size();
            Tensor buf = momentum == 0 ? null : buffers.get(e.getKey());
            boolean first = momentum != 0 && buf == null;
            if (first) {
                buf = Tensor.allocate(arena, e.getValue().shape());
                buffers.put(e.getKey(), buf);
            }
            MemorySegment b = buf == null ? null : buf.segment();
            for (long i = 0; i < n; i++) {
                float th = p.getAtIndex(FLOAT, i);
                float d = g.getAtIndex(FLOAT, i);
                if (wd != 0) d += wd * th;
                if (b != null) {
                    float v = first ? d : mom * b.getAtIndex(FLOAT, i) + damp * d;
                    b.setAtIndex(FLOAT, i, v);
                    d = nesterov ? d + mom * v : v;
                }
                p.setAtIndex(FLOAT, i, th - lrF * d);
            }
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void learningRate(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("SGD learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    @Override
    public void close() {
        buffers.clear();
        arena.close();
    }
}
