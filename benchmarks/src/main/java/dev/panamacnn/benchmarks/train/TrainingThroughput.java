package dev.panamacnn.benchmarks.train;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Variables;
import dev.panamacnn.core.train.Gradients;
import dev.panamacnn.core.train.Initializer;
import dev.panamacnn.core.train.Optimizer;
import dev.panamacnn.core.train.Sgd;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Training throughput of one network on random MNIST-shaped batches, with a per-kernel time
 * breakdown: the quick look behind {@link TrainingBenchmark}'s figures.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.panamacnn.benchmarks.train.TrainingThroughput [model=lenet] [threads=1] [batch=64] [steps=300] [rounds=5]
 * </pre>
 * Each round runs {@code steps} SGD (lr 0.01, momentum 0.9) steps; the first round is warm-up. It
 * prints samples/s per round, their median, and where the time of the last round went.
 */
public final class TrainingThroughput {
    private TrainingThroughput() {}

    public static void main(String[] args) {
        String model = arg(args, 0, "lenet");
        int threads = Integer.parseInt(arg(args, 1, "1"));
        int batch = Integer.parseInt(arg(args, 2, "64"));
        int steps = Integer.parseInt(arg(args, 3, "300"));
        int rounds = Integer.parseInt(arg(args, 4, "5"));
        Shape in = Shape.of(batch, 1, 28, 28);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = (i * 7) % 10;
        try (Arena arena = Arena.ofShared(); Model m = Model.init(TrainingModels.byName(model), in, 1);
             TrainingKernels base = SimdTraining.create(threads);
             TimedOptimizer opt = new TimedOptimizer(Sgd.of(0.01).momentum(0.9))) {
            Initializer.PYTORCH_DEFAULT.apply(m.params(), 1);
            TimedTrainingKernels timed = new TimedTrainingKernels(base);
            Tensor x = Tensor.randomNormal(arena, 2, 0f, 1f, in.dims());
            double[] rates = new double[rounds];
            double[] breakdownRates = new double[rounds];
            try (Trainer plain = new Trainer(m, opt, base, 3); Trainer probed = new Trainer(m, opt, timed, 3)) {
                for (int r = 0; r < rounds; r++) {
                    long a0 = allocated();
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) plain.step(x, labels);
                    rates[r] = (double) steps * batch / ((System.nanoTime() - t0) * 1e-9);
                    long bytes = (allocated() - a0) / steps;
                    timed.clear();
                    opt.nanos = 0;
                    t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) probed.step(x, labels);
                    long total = System.nanoTime() - t0;
                    breakdownRates[r] = (double) steps * batch / (total * 1e-9);
                    System.out.printf(Locale.ROOT, "round %d: %.0f samples/s (%.2f ms/step, %d B allocated/step on"
                                    + " the caller's thread), timed run %.0f samples/s%n",
                            r, rates[r], 1e3 * batch / rates[r], bytes, breakdownRates[r]);
                    if (r == rounds - 1) breakdown(timed.nanos(), opt.nanos, total, steps);
                }
            }
            double[] measured = Arrays.copyOfRange(rates, 1, rounds);
            Arrays.sort(measured);
            System.out.printf(Locale.ROOT, "%s threads=%d batch=%d kernels=%s: median %.0f samples/s over %d rounds"
                            + " of %d steps (min %.0f, max %.0f)%n", model, threads, batch, base.name(),
                    measured[measured.length / 2], measured.length, steps, measured[0], measured[measured.length - 1]);
        }
    }

    private static void breakdown(Map<String, long[]> phases, long optimizerNanos, long total, int steps) {
        long accounted = optimizerNanos;
        System.out.printf(Locale.ROOT, "  %-30s %9s %7s %6s%n", "phase", "us/step", "calls", "share");
        for (var e : phases.entrySet()) {
            accounted += e.getValue()[0];
            line(e.getKey(), e.getValue()[0], e.getValue()[1], total, steps);
        }
        line("optimizer", optimizerNanos, steps, total, steps);
        line("other", total - accounted, steps, total, steps);
    }

    private static void line(String phase, long nanos, long calls, long total, int steps) {
        System.out.printf(Locale.ROOT, "  %-30s %9.1f %7d %5.1f%%%n", phase, nanos / 1e3 / steps, calls / steps,
                100.0 * nanos / total);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static String arg(String[] args, int i, String dflt) {
        return args.length > i ? args[i] : dflt;
    }

    /** Adds up the time of the wrapped optimizer's steps. */
    private static final class TimedOptimizer implements Optimizer {
        private final Optimizer o;
        long nanos;

        TimedOptimizer(Optimizer o) {
            this.o = o;
        }

        @Override
        public void step(Variables params, Gradients grads) {
            long t = System.nanoTime();
            o.step(params, grads);
            nanos += System.nanoTime() - t;
        }

        @Override
        public double learningRate() {
            return o.learningRate();
        }

        @Override
        public void learningRate(double lr) {
            o.learningRate(lr);
        }

        @Override
        public void close() {
            o.close();
        }
    }
}
