package dev.panamacnn.tools;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmConfig;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code panama-cnn bench-gemm}: GFLOP/s of our GEMM and, in the same run, of OpenBLAS
 * {@code cblas_sgemm} through FFM when {@code libopenblas0} is installed. Both compute
 * C = A·B on the same row-major matrices, alternating call by call so that machine noise hits
 * both alike; the median of each is reported with % of peak. Ours runs as the library does: A
 * (the weights) packed once, B packed on every call.
 */
@Command(name = "bench-gemm", description = "GFLOP/s of our GEMM beside OpenBLAS cblas_sgemm (if installed).")
final class BenchGemmCommand implements Callable<Integer> {
    /** FP32 peak of one core here: 2 × 512-bit FMA per cycle at ~3.4 GHz (TOOLCHAIN-NOTES: ~217). */
    static final double CORE_PEAK_GFLOPS = 217;

    @Option(names = "--m", defaultValue = "512") int m;
    @Option(names = "--n", defaultValue = "512") int n;
    @Option(names = "--k", defaultValue = "512") int k;
    @Option(names = "--threads", defaultValue = "1") int threads;
    @Option(names = "--iterations", defaultValue = "0", description = "Timed calls per engine (default: ~2 s worth).")
    int iterations;
    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Override
    public Integer call() {
        if (m < 1 || n < 1 || k < 1 || threads < 1) throw new IllegalArgumentException("m, n, k, threads must be >= 1");
        double flop = 2.0 * m * n * k;
        int iters = iterations > 0 ? iterations : (int) Math.max(10, Math.min(2000, 2e9 * threads / flop * 100));
        Optional<OpenBlas> blas = OpenBlas.load();
        try (Arena arena = Arena.ofShared(); GemmWorkspace ws = GemmWorkspace.create(threads);
             WorkerPool pool = WorkerPool.create(threads)) {
            MemorySegment a = Tensor.randomNormal(arena, 1, 0f, 1f, m, k).segment();
            MemorySegment b = Tensor.randomNormal(arena, 2, 0f, 1f, k, n).segment();
            MemorySegment c = Tensor.zeros(arena, m, n).segment();
            MemorySegment c2 = Tensor.zeros(arena, m, n).segment();
            // A is packed once, as convolution and dense weights are at compile time; B per call.
            PackedA packedA = PackedA.pack(a, 0, k, 1, m, k, arena);
            StridedBPacker packB = new StridedBPacker(b, 0, n, 1);
            Runnable ours = () -> Sgemm.gemm(packedA, packB, n, c, 0, n, 1, false, Epilogue.NONE, ws, pool);
            Runnable theirs = blas.<Runnable>map(o -> {
                o.threads(threads);
                return () -> o.sgemm(m, n, k, a, b, c2);
            }).orElse(null);
            // Warm-up (JIT, page faults), then rounds alternating the two engines.
            for (int i = 0; i < Math.max(5, iters / 5); i++) {
                ours.run();
                if (theirs != null) theirs.run();
            }
            long[] tOurs = new long[iters], tTheirs = new long[iters];
            for (int i = 0; i < iters; i++) {
                tOurs[i] = time(ours);
                if (theirs != null) tTheirs[i] = time(theirs);
            }
            double gOurs = flop / (LatencyStats.of(tOurs).medianMs() * 1e6);
            double gTheirs = theirs == null ? Double.NaN : flop / (LatencyStats.of(tTheirs).medianMs() * 1e6);
            double maxRel = theirs == null ? Double.NaN : maxRelDiff(c, c2, (long) m * n, Math.sqrt(k));
            double peak = CORE_PEAK_GFLOPS * threads;
            if (json) {
                System.out.printf(Locale.ROOT, "{\"m\": %d, \"n\": %d, \"k\": %d, \"threads\": %d, \"gflops\": %.1f,"
                        + " \"percent_of_peak\": %.1f%s, \"kernel\": \"%s\"}%n", m, n, k, threads, gOurs, 100 * gOurs / peak,
                        theirs == null ? "" : String.format(Locale.ROOT, ", \"openblas_gflops\": %.1f, \"openblas_percent_of_peak\": %.1f,"
                                + " \"openblas_core\": \"%s\", \"ratio\": %.3f", gTheirs, 100 * gTheirs / peak,
                                blas.get().coreName(), gOurs / gTheirs),
                        GemmConfig.describe());
            } else {
                System.out.printf(Locale.ROOT, "GEMM %d×%d×%d, %d thread(s), median of %d calls (peak %.0f GFLOP/s)%n",
                        m, n, k, threads, iters, peak);
                System.out.printf(Locale.ROOT, "panama-cnn  %7.1f GFLOP/s  %5.1f %% of peak   (%s)%n", gOurs,
                        100 * gOurs / peak, GemmConfig.describe());
                if (theirs == null) {
                    System.out.println("OpenBLAS    not installed (apt-get install libopenblas0 to compare)");
                } else {
                    System.out.printf(Locale.ROOT, "OpenBLAS    %7.1f GFLOP/s  %5.1f %% of peak   (core %s, OPENBLAS_CORETYPE=%s)%n",
                            gTheirs, 100 * gTheirs / peak, blas.get().coreName(),
                            System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));
                    System.out.printf(Locale.ROOT, "ratio       %.2f× OpenBLAS; results agree to %.1e (relative to √k)%n",
                            gOurs / gTheirs, maxRel);
                }
            }
        }
        return 0;
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static double maxRelDiff(MemorySegment x, MemorySegment y, long count, double scale) {
        double worst = 0;
        for (long i = 0; i < count; i++) {
            double d = Math.abs(x.getAtIndex(Tensor.FLOAT, i) - y.getAtIndex(Tensor.FLOAT, i)) / scale;
            worst = Math.max(worst, d);
        }
        return worst;
    }
}
