package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * panama-cnn (simd) and ONNX Runtime side by side on the same ONNX files, input, batch and
 * thread count, in one JVM: checks that the outputs agree, then times the two alternately
 * (so both see the same machine noise) and prints median and p90 latency and the ratio.
 *
 * <pre>
 *   ./mvnw -B -q -pl benchmarks -am package -DskipTests
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *        -cp benchmarks/target/benchmarks.jar dev.panamacnn.benchmarks.PeerComparison \
 *        [--threads 1,2] [--batch 1] [--iterations 200] [--warmup 50] MODEL.onnx...
 * </pre>
 */
public final class PeerComparison {
    private PeerComparison() {}

    record Row(String model, int threads, int batch, double oursMedian, double oursP90, double ortMedian, double ortP90,
               double maxDiff) {}

    public static void main(String[] args) throws Exception {
        int[] threads = {1, 2};
        int batch = 1, iterations = 200, warmup = 50;
        String only = "both";
        List<Path> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> models.add(Path.of(args[i]));
            }
        }
        if (models.isEmpty()) {
            System.err.println("usage: PeerComparison [--threads 1,2] [--batch B] [--iterations N] [--warmup N]"
                    + " [--only panama-cnn|onnxruntime] MODEL.onnx...");
            System.exit(2);
        }
        if (!SimdBackends.available()) throw new IllegalStateException(SimdBackends.unavailableReason());
        System.out.printf(Locale.ROOT, "# PeerComparison --threads %s --batch %d --iterations %d --warmup %d %s%n",
                Arrays.toString(threads).replaceAll("[\\[\\] ]", ""), batch, iterations, warmup, models);
        System.out.printf(Locale.ROOT, "# %s, %d cores, %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                dev.panamacnn.simd.VectorCapabilities.describe());
        List<Row> rows = new ArrayList<>();
        if (!only.equals("both")) {
            // One engine per process: two runtimes' thread pools in one process on a 2-core host
            // steal each other's cores (2-thread medians jumped between ~7 and ~14 ms).
            for (Path m : models) for (int t : threads) measureOne(m, t, batch, iterations, warmup, only);
            return;
        }
        for (Path m : models) for (int t : threads) rows.add(measure(m, t, batch, iterations, warmup));
        System.out.println();
        System.out.printf(Locale.ROOT, "| model | threads | batch | panama-cnn median / p90 (ms) | ONNX Runtime median / p90 (ms) | ratio (median) | max abs diff |%n");
        System.out.printf(Locale.ROOT, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |%n");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f / %.2f | %.2f / %.2f | %.2f× | %.1e |%n", r.model, r.threads,
                    r.batch, r.oursMedian, r.oursP90, r.ortMedian, r.ortP90, r.oursMedian / r.ortMedian, r.maxDiff);
        }
    }

    /** Blocks per engine: enough to spread slow drifts of a shared host over both. */
    static final int ROUNDS = 10;

    static Row measure(Path file, int threads, int batch, int iterations, int warmup) throws Exception {
        try (Arena arena = Arena.ofConfined(); OnnxModel model = OnnxModel.load(file, batch);
             CompiledModel plan = model.compile(CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
            Tensor x = Tensor.randomNormal(arena, 42, 0f, 1f, model.inputShape().dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            try (OrtPeer ort = new OrtPeer(file, model.inputShape(), x.toArray(), threads)) {
                plan.run(x, y);
                float[] theirs = ort.run(), ours = y.toArray();
                double scale = Tolerance.rms(theirs);
                new Tolerance(1e-4, 2e-4 * scale, 4).assertClose(file.getFileName() + ": panama-cnn vs ONNX Runtime", theirs, ours);
                for (int i = 0; i < warmup; i++) {
                    plan.run(x, y);
                    ort.runOnly();
                }
                // Alternate in blocks, not run by run: ONNX Runtime's intra-op threads spin for a
                // while after each run (its default, and its best latency), and run-by-run
                // alternation would hand that spinning to our next run as a stolen core.
                long[] a = new long[iterations], b = new long[iterations];
                int block = Math.max(1, iterations / ROUNDS);
                for (int start = 0; start < iterations; start += block) {
                    int end = Math.min(iterations, start + block);
                    for (int i = start; i < end; i++) {
                        long t0 = System.nanoTime();
                        plan.run(x, y);
                        a[i] = System.nanoTime() - t0;
                    }
                    for (int i = start; i < end; i++) {
                        long t0 = System.nanoTime();
                        ort.runOnly();
                        b[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(a);
                Arrays.sort(b);
                String name = file.getFileName().toString().replace(".onnx", "");
                if (name.equals("model") && file.getParent() != null) name = file.getParent().getFileName().toString();
                Row r = new Row(name,
                        threads, batch, pct(a, 50), pct(a, 90), pct(b, 50), pct(b, 90), Tolerance.maxAbsError(theirs, ours));
                System.out.printf(Locale.ROOT, "%s, %d thread(s): panama-cnn %.2f ms, ONNX Runtime %.2f ms (medians)%n",
                        r.model, threads, r.oursMedian, r.ortMedian);
                return r;
            }
        }
    }

    /** Times one engine alone (after checking its output against the other's) and prints one line. */
    static void measureOne(Path file, int threads, int batch, int iterations, int warmup, String engine) throws Exception {
        boolean ours = switch (engine) {
            case "panama-cnn" -> true;
            case "onnxruntime" -> false;
            default -> throw new IllegalArgumentException("--only takes panama-cnn or onnxruntime, got " + engine);
        };
        try (Arena arena = Arena.ofConfined(); OnnxModel model = OnnxModel.load(file, batch);
             CompiledModel plan = model.compile(CompileOptions.of(SimdBackends.fastest()).threads(ours ? threads : 1))) {
            Tensor x = Tensor.randomNormal(arena, 42, 0f, 1f, model.inputShape().dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            try (OrtPeer ort = new OrtPeer(file, model.inputShape(), x.toArray(), ours ? 1 : threads)) {
                plan.run(x, y);
                float[] theirs = ort.run(), mine = y.toArray();
                new Tolerance(1e-4, 2e-4 * Tolerance.rms(theirs), 4).assertClose(file + ": panama-cnn vs ONNX Runtime", theirs, mine);
                long[] t = new long[iterations];
                for (int i = 0; i < warmup + iterations; i++) {
                    long t0 = System.nanoTime();
                    if (ours) plan.run(x, y);
                    else ort.runOnly();
                    if (i >= warmup) t[i - warmup] = System.nanoTime() - t0;
                }
                Arrays.sort(t);
                System.out.printf(Locale.ROOT, "%s %s threads=%d batch=%d median %.2f ms p90 %.2f ms%n", engine,
                        file, threads, batch, pct(t, 50), pct(t, 90));
            }
        }
    }

    /** Nearest-rank percentile of sorted nanoseconds, in ms. */
    static double pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
