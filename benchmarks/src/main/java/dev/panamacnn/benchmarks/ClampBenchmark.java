package dev.panamacnn.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why every kernel clamps with compare + blend (see {@code simd.kernels.Vec}): ReLU6 over 16 K
 * floats (L1-resident) with {@code v.max(lo).min(hi)} against the blends, one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ClampBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int N = 16 * 1024;

    private Arena arena;
    private MemorySegment x, y;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        x = arena.allocate(4L * N, 64);
        y = arena.allocate(4L * N, 64);
        for (int i = 0; i < N; i++) x.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) (8 * Math.sin(i)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment maxMin() {
        FloatVector lo = FloatVector.zero(S), hi = FloatVector.broadcast(S, 6f);
        for (long i = 0; i < 4L * N; i += S.vectorByteSize()) {
            FloatVector.fromMemorySegment(S, x, i, ORDER).max(lo).min(hi).intoMemorySegment(y, i, ORDER);
        }
        return y;
    }

    @Benchmark
    public MemorySegment blends() {
        FloatVector lo = FloatVector.zero(S), hi = FloatVector.broadcast(S, 6f);
        for (long i = 0; i < 4L * N; i += S.vectorByteSize()) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, i, ORDER);
            v = v.blend(lo, v.compare(VectorOperators.LE, lo));
            v.blend(hi, v.compare(VectorOperators.GE, hi)).intoMemorySegment(y, i, ORDER);
        }
        return y;
    }
}
