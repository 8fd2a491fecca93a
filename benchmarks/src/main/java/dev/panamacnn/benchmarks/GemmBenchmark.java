package dev.panamacnn.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.panamacnn.benchmarks.openblas.OpenBlas;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.reference.GemmRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row-major SGEMM C[M × N] = A[M × K]·B[K × N]: panama-cnn (A packed once, like convolution
 * weights; B packed per call) beside OpenBLAS {@code cblas_sgemm} with the same thread count.
 * Shapes: 512³, 1024³ and the ResNet-18 convolutions at batch 1 as GEMMs (M = output channels,
 * N = output pixels, K = input channels × 3 × 3). The {@code gflop} secondary result is GFLOP/s.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar GemmBenchmark -p threads=1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
    @Param({"512x512x512", "1024x1024x1024", "64x3136x576", "128x784x1152", "256x196x2304", "512x49x4608"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, n, k;
    private double gflopPerCall;
    private Arena arena;
    private WorkerPool pool;
    private GemmWorkspace ws;
    private MemorySegment a, b, c, cBlas;
    private PackedA packedA;
    private StridedBPacker packerB;

    /** Counts GFLOP; JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        gflopPerCall = 2.0 * m * n * k / 1e9;
        arena = Arena.ofShared();
        pool = WorkerPool.create(threads);
        ws = GemmWorkspace.create(threads);
        a = GemmBench.random(arena, (long) m * k, 1);
        b = GemmBench.random(arena, (long) k * n, 2);
        c = arena.allocate(4L * m * n, 64);
        cBlas = arena.allocate(4L * m * n, 64);
        packedA = PackedA.pack(a, 0, k, 1, m, k, arena);
        packerB = new StridedBPacker(b, 0, n, 1);
        checkResults();
    }

    /** Ours against the double-precision reference on sampled rows, and against OpenBLAS everywhere. */
    private void checkResults() {
        panamaCnn(new Flops());
        Tolerance tol = Tolerance.forReduction(k, 1.0);
        MemorySegment row = arena.allocate(4L * n, 64);
        for (int i = 0; i < m; i += Math.max(1, m / 7)) {
            GemmRef.gemm(1, n, k, a, (long) i * k, k, 1, b, 0, n, 1, row, 0, n, 1, false);
            tol.assertClose("GEMM " + shape + " row " + i, row.toArray(JAVA_FLOAT),
                    c.asSlice(4L * i * n, 4L * n).toArray(JAVA_FLOAT));
        }
        if (OpenBlas.isAvailable()) {
            OpenBlas.setNumThreads(threads);
            OpenBlas.sgemm(m, n, k, a, 0, k, b, 0, n, cBlas, 0, n, false);
            double diff = GemmBench.maxRelDiff(c, cBlas, (long) m * n);
            if (!(diff <= tol.rtol() + tol.atol())) {
                throw new IllegalStateException("OpenBLAS and panama-cnn disagree on " + shape + ": " + diff);
            }
        } else {
            System.err.println("OpenBLAS peer skipped: " + OpenBlas.unavailableReason());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ws.close();
        pool.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment panamaCnn(Flops flops) {
        Sgemm.gemm(packedA, packerB, n, c, 0, n, 1, false, Epilogue.NONE, ws, pool);
        flops.gflop += gflopPerCall;
        return c;
    }

    @Benchmark
    public MemorySegment openblas(Flops flops) {
        if (!OpenBlas.isAvailable()) throw new IllegalStateException(OpenBlas.unavailableReason());
        OpenBlas.sgemm(m, n, k, a, 0, k, b, 0, n, cBlas, 0, n, false);
        flops.gflop += gflopPerCall;
        return cBlas;
    }
}
