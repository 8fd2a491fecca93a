package dev.panamacnn.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.panamacnn.benchmarks.openblas.OpenBlas;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmConfig;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A plain (non-JMH) GEMM measurement for the command line: row-major C[m × n] = A[m × k]·B[k × n]
 * with our GEMM (A packed once, as convolution weights are; B packed per call) and, when
 * {@code libopenblas.so.0} is present, OpenBLAS's {@code cblas_sgemm} with the same thread count,
 * interleaved in one run so both see the same machine. Results are checked against each other.
 *
 * <p>{@code java ... dev.panamacnn.benchmarks.GemmBench --m 512 --n 512 --k 512 [--threads 1] [--json]}
 */
public final class GemmBench {
    /**
     * FP32 peak of one core of the reference machine (AMD EPYC, AVX-512: 2 × 16-lane FMA per cycle
     * at ~3.4 GHz). {@code --peak} overrides it for other machines.
     */
    public static final double PEAK_GFLOPS_PER_CORE = 217.0;

    /**
     * One measurement. {@code gflops} and {@code openblasGflops} are medians over timed samples;
     * {@code openblasGflops} is NaN when OpenBLAS is absent; {@code peakGflops} is
     * {@code threads × }{@link #PEAK_GFLOPS_PER_CORE}; {@code maxRelDiff} is the largest
     * difference between the two results relative to the largest |C| (NaN without OpenBLAS);
     * {@code ratio} is the median over samples of ours / OpenBLAS, each pair timed back to back
     * (steadier than the ratio of medians on a shared machine).
     */
    public record Result(int m, int n, int k, int threads, double gflops, double openblasGflops, double peakGflops,
            double ratio, double maxRelDiff, String openblas) {
        public double percentOfPeak() {
            return 100 * gflops / peakGflops;
        }

        public double openblasPercentOfPeak() {
            return 100 * openblasGflops / peakGflops;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"m\":%d,\"n\":%d,\"k\":%d,\"threads\":%d,\"gflops\":%.2f,"
                    + "\"openblasGflops\":%s,\"peakGflops\":%.1f,\"percentOfPeak\":%.1f,\"ratio\":%s,\"maxRelDiff\":%s,"
                    + "\"kernel\":\"%s\",\"openblas\":\"%s\"}", m, n, k, threads, gflops, json(openblasGflops),
                    peakGflops, percentOfPeak(), json(ratio), json(maxRelDiff), GemmConfig.describe(),
                    openblas.replace("\"", "'"));
        }

        @Override
        public String toString() {
            String ours = String.format(Locale.ROOT, "GEMM %dx%dx%d threads %d: panama-cnn %.1f GFLOP/s (%.0f%% of %.0f)",
                    m, n, k, threads, gflops, percentOfPeak(), peakGflops);
            if (Double.isNaN(openblasGflops)) return ours + "; OpenBLAS: " + openblas;
            return ours + String.format(Locale.ROOT, ", OpenBLAS %.1f GFLOP/s (%.0f%%), ratio %.2f, max rel diff %.1e [%s]",
                    openblasGflops, openblasPercentOfPeak(), ratio, maxRelDiff, openblas);
        }

        private static String json(double v) {
            return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4g", v);
        }
    }

    private GemmBench() {}

    /** Measures with the default sampling: about {@code seconds} of timed runs for each side. */
    public static Result run(int m, int n, int k, int threads) {
        return run(m, n, k, threads, 3.0, PEAK_GFLOPS_PER_CORE);
    }

    public static Result run(int m, int n, int k, int threads, double seconds, double peakPerCore) {
        if (m < 1 || n < 1 || k < 1 || threads < 1) {
            throw new IllegalArgumentException("m, n, k, threads must be >= 1, got " + m + ", " + n + ", " + k
                    + ", " + threads);
        }
        boolean peer = OpenBlas.isAvailable();
        try (Arena arena = Arena.ofShared(); WorkerPool pool = WorkerPool.create(threads);
                GemmWorkspace ws = GemmWorkspace.create(threads)) {
            MemorySegment a = random(arena, (long) m * k, 1), b = random(arena, (long) k * n, 2);
            MemorySegment c = arena.allocate(4L * m * n, 64), cRef = arena.allocate(4L * m * n, 64);
            PackedA pa = PackedA.pack(a, 0, k, 1, m, k, arena);
            StridedBPacker pb = new StridedBPacker(b, 0, n, 1);
            Runnable ours = () -> Sgemm.gemm(pa, pb, n, c, 0, n, 1, false, Epilogue.NONE, ws, pool);
            Runnable blas = peer ? () -> OpenBlas.sgemm(m, n, k, a, 0, k, b, 0, n, cRef, 0, n, false) : null;
            if (peer) OpenBlas.setNumThreads(threads);

            double flop = 2.0 * m * n * k;
            // Calls per sample: about 50 ms of work at 100 GFLOP/s per thread.
            int reps = (int) Math.max(1, Math.min(100_000, 5e9 * threads / flop));
            int samples = (int) Math.max(5, Math.round(seconds / 0.05));
            for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) { // JIT warm-up
                ours.run();
                if (peer) blas.run();
            }
            double[] tOurs = new double[samples], tBlas = new double[samples], ratios = new double[samples];
            for (int s = 0; s < samples; s++) { // interleaved, so both see the same noise
                tOurs[s] = time(ours, reps);
                if (peer) tBlas[s] = time(blas, reps);
                ratios[s] = tBlas[s] / tOurs[s];
            }
            double diff = Double.NaN;
            String blasName = peer ? OpenBlas.describe() : OpenBlas.unavailableReason();
            if (peer) {
                ours.run();
                blas.run();
                diff = maxRelDiff(c, cRef, (long) m * n);
                Tolerance tol = Tolerance.forReduction(k, 1.0);
                double bound = tol.rtol() + tol.atol();
                if (!(diff <= bound)) {
                    throw new IllegalStateException("panama-cnn and OpenBLAS disagree: max rel diff " + diff
                            + " > " + bound);
                }
            }
            return new Result(m, n, k, threads, flop / median(tOurs), // flop per ns = GFLOP/s
                    peer ? flop / median(tBlas) : Double.NaN, threads * peakPerCore,
                    peer ? median(ratios) : Double.NaN, diff, blasName);
        }
    }

    private static double time(Runnable r, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) r.run();
        return (System.nanoTime() - t0) / (double) reps;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(4 * n, 64);
        Random r = new Random(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(JAVA_FLOAT, i, r.nextFloat() * 2 - 1);
        return s;
    }

    /** max |x − y| / max |y|: relative to the scale of the result, robust to cancellation. */
    static double maxRelDiff(MemorySegment x, MemorySegment y, long n) {
        double maxDiff = 0, maxAbs = 0;
        for (long i = 0; i < n; i++) {
            double a = x.getAtIndex(JAVA_FLOAT, i), b = y.getAtIndex(JAVA_FLOAT, i);
            maxDiff = Math.max(maxDiff, Math.abs(a - b));
            maxAbs = Math.max(maxAbs, Math.abs(b));
        }
        return maxDiff / Math.max(maxAbs, Float.MIN_NORMAL);
    }

    /** {@code --m M --n N --k K [--threads T] [--seconds S] [--peak GFLOPS_PER_CORE] [--json]}. */
    public static void main(String[] args) {
        int m = 512, n = 512, k = 512, threads = 1;
        double seconds = 3, peak = PEAK_GFLOPS_PER_CORE;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--m" -> m = Integer.parseInt(args[++i]);
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --m M --n N --k K [--threads T] [--seconds S] [--peak G] [--json]");
            }
        }
        Result r = run(m, n, k, threads, seconds, peak);
        System.out.println(json ? r.toJson() : r.toString());
    }
}
