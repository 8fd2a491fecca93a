package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency of one engine, labelled with how far apart the host has put this machine's two cores
 * at that moment. On the 2-vCPU host of BENCHMARKS.md a cache line passes between the two
 * vCPUs in ~35 ns at some times and ~175 ns at others, switching every few seconds to minutes,
 * also in the middle of a process; 2-thread latencies differ by up to 1.8× between the two.
 * Each round first times a ping-pong of one cache line between two fresh threads (the round
 * trip, after 5 ms for the engine's threads to go idle), then a burst of inferences, and
 * prints both; the summary groups rounds as near (round trip under 150 ns) or far (over 250).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *        -Dpanama.bench.ortSpinning=false -cp benchmarks/target/benchmarks.jar \
 *        dev.panamacnn.benchmarks.PlacementRuns --engine panama-cnn|onnxruntime \
 *        [--threads 2] [--rounds 6] [--burst 30] [--warmup 300] MODEL.onnx
 * </pre>
 */
public final class PlacementRuns {
    private PlacementRuns() {}

    private static final AtomicLong LINE = new AtomicLong();

    /** Mean round trip in ns of one cache line between this thread and a fresh one. */
    static double pingPong(int trips) throws InterruptedException {
        LINE.set(0);
        Thread other = new Thread(() -> {
            for (long i = 1; i < 2L * trips; i += 2) {
                while (LINE.get() != i) Thread.onSpinWait();
                LINE.set(i + 1);
            }
        });
        other.start();
        long t0 = System.nanoTime();
        for (long i = 0; i < 2L * trips; i += 2) {
            LINE.set(i + 1);
            while (LINE.get() != i + 2) Thread.onSpinWait();
        }
        long elapsed = System.nanoTime() - t0;
        other.join();
        return elapsed / (double) trips;
    }

    public static void main(String[] args) throws Exception {
        String engine = null;
        int threads = 2, rounds = 6, burst = 30, warmup = 300;
        Path model = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--engine" -> engine = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> model = Path.of(args[i]);
            }
        }
        if (model == null || !("panama-cnn".equals(engine) || "onnxruntime".equals(engine))) {
            System.err.println("usage: PlacementRuns --engine panama-cnn|onnxruntime [--threads T] [--rounds R]"
                    + " [--burst N] [--warmup N] MODEL.onnx");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "# PlacementRuns %s --threads %d %s%n", engine, threads, model);
        double[][] rows = engine.equals("panama-cnn")
                ? ours(model, threads, rounds, burst, warmup) : theirs(model, threads, rounds, burst, warmup);
        double[] near = Arrays.stream(rows).filter(r -> r[0] < 150).mapToDouble(r -> r[1]).sorted().toArray();
        double[] far = Arrays.stream(rows).filter(r -> r[0] > 250).mapToDouble(r -> r[1]).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s near: %d rounds, median %s ms; far: %d rounds, median %s ms%n", engine,
                near.length, median(near), far.length, median(far));
    }

    private static String median(double[] sorted) {
        return sorted.length == 0 ? "-" : String.format(Locale.ROOT, "%.2f", sorted[sorted.length / 2]);
    }

    /** One row per round: ping-pong round trip (ns), median latency of the burst (ms). */
    private static double[][] ours(Path file, int threads, int rounds, int burst, int warmup) throws Exception {
        if (!SimdBackends.available()) throw new IllegalStateException(SimdBackends.unavailableReason());
        try (Arena arena = Arena.ofConfined(); OnnxModel m = OnnxModel.load(file, 1);
             CompiledModel plan = m.compile(CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, plan.inputShape().dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            for (int i = 0; i < warmup; i++) plan.run(x, y);
            return rounds(rounds, burst, () -> plan.run(x, y));
        }
    }

    private static double[][] theirs(Path file, int threads, int rounds, int burst, int warmup) throws Exception {
        Shape shape;
        try (OnnxModel m = OnnxModel.load(file, 1)) {
            shape = m.inputShape();
        }
        float[] x = new float[(int) shape.size()];
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        try (OrtPeer peer = new OrtPeer(file, shape, x, threads)) {
            for (int i = 0; i < warmup; i++) peer.run();
            return rounds(rounds, burst, peer::run);
        }
    }

    private interface Inference {
        void run() throws Exception;
    }

    private static double[][] rounds(int rounds, int burst, Inference inference) throws Exception {
        double[][] rows = new double[rounds][];
        double[] ms = new double[burst];
        pingPong(200_000); // compiled before the first labelled round
        for (int r = 0; r < rounds; r++) {
            Thread.sleep(5);
            double trip = pingPong(20_000);
            for (int i = 0; i < burst; i++) {
                long t0 = System.nanoTime();
                inference.run();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            rows[r] = new double[] {trip, ms[burst / 2]};
            System.out.printf(Locale.ROOT, "round %d  ping-pong %4.0f ns  median %6.2f ms  min %6.2f ms%n", r, trip,
                    ms[burst / 2], ms[0]);
        }
        return rows;
    }
}
