package dev.panamacnn.core.train;

/**
 * Learning rate as a function of the epoch (from 0), applied by the caller once per epoch:
 * {@code optimizer.learningRate(schedule.rate(epoch))}.
 */
@FunctionalInterface
public interface LrSchedule {
    double rate(int epoch);

    /** The same rate throughout. */
    static LrSchedule constant(double lr) {
        return epoch -> lr;
    }

    /** PyTorch's {@code StepLR}: {@code lr·gamma^⌊epoch / stepSize⌋}. */
    static LrSchedule step(double lr, int stepSize, double gamma) {
        if (stepSize < 1) throw new IllegalArgumentException("step size must be >= 1, got " + stepSize);
        return epoch -> lr * Math.pow(gamma, epoch / stepSize);
    }

    /**
     * PyTorch's {@code CosineAnnealingLR} in closed form:
     * {@code etaMin + (lr − etaMin)·(1 + cos(π·epoch / tMax)) / 2}, held at etaMin after tMax.
     */
    static LrSchedule cosine(double lr, int tMax, double etaMin) {
        if (tMax < 1) throw new IllegalArgumentException("cosine period must be >= 1, got " + tMax);
        return epoch -> etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * Math.min(epoch, tMax) / tMax)) / 2;
    }
}
