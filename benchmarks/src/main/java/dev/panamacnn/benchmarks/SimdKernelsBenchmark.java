package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.DepthwiseConvKernels;
import dev.panamacnn.simd.kernels.DepthwisePadded;
import dev.panamacnn.simd.kernels.PoolKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
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
 * The Vector API kernels of {@code dev.panamacnn.simd.kernels} beside the scalar reference
 * kernels they are tested against, in the same run, one thread: MobileNetV2's depthwise 3×3
 * layers (bias + ReLU6 fused; the reference runs conv then ReLU6), ResNet's stem max pool and
 * its global average pool. Results are compared in {@code @Setup} before anything is timed.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SimdKernels}. Compare
 * {@code *Simd} with {@code *Reference} for the same parameter (ratios, same run).
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SimdKernelsBenchmark {

    /** One MobileNetV2 depthwise layer: channels × size × size input, 3×3, pad 1, stride s. */
    @State(Scope.Thread)
    public static class Depthwise {
        @Param({"32x112x112s1", "96x112x112s2", "144x56x56s1", "960x7x7s1"})
        public String layer;

        int c, h;
        Conv2dSpec spec;
        Arena arena;
        Tensor x, w, b, out, refOut;
        DepthwisePadded.Geometry geometry;
        MemorySegment scratch;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = layer.split("[xs]");
            c = Integer.parseInt(parts[0]);
            h = Integer.parseInt(parts[1]);
            spec = Conv2dSpec.of(3).stride(Integer.parseInt(parts[3])).padding(1).groups(c);
            arena = Arena.ofShared();
            x = Tensor.randomNormal(arena, 1, 0f, 1f, 1, c, h, h);
            w = Tensor.randomNormal(arena, 2, 0f, 0.3f, c, 1, 3, 3);
            b = Tensor.randomNormal(arena, 3, 0f, 0.1f, c);
            Shape os = spec.outputShape(x.shape(), c);
            out = Tensor.allocate(arena, os);
            refOut = Tensor.allocate(arena, os);
            reference();
            simd();
            Tolerance.forReduction(10, 0.3).assertClose("depthwise " + layer, refOut, out);
            geometry = new DepthwisePadded.Geometry(h, h, spec);
            scratch = arena.allocate(geometry.scratchBytes(), 64);
            out.segment().fill((byte) 0);
            padded();
            Tolerance.forReduction(10, 0.3).assertClose("depthwise padded " + layer, refOut, out);
        }

        /** The phase-plane kernel the backend uses for these layers (the row kernels are {@link #simd}). */
        void padded() {
            DepthwisePadded.run(x.segment(), 0, w.segment(), b.segment(), out.segment(), 0, c, geometry,
                    0f, 6f, 0, c, scratch, 0);
        }

        void reference() {
            ConvRef.conv2d(x, w, b, spec, refOut);
            EltwiseRef.activation(refOut, Activation.RELU6, refOut);
        }

        void simd() {
            DepthwiseConvKernels.depthwiseConv2d(x.segment(), 0, w.segment(), 0, b.segment(), 0,
                    out.segment(), 0, c, h, h, spec, 0f, 6f, 0, c);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** ResNet's stem max pool (3×3, stride 2, pad 1 on 64×112×112) and global average pool (512×7×7). */
    @State(Scope.Thread)
    public static class Pools {
        final Pool2dSpec stem = Pool2dSpec.of(3).stride(2).padding(1);
        Arena arena;
        Tensor x, pooled, refPooled, feat, avg, refAvg;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            x = Tensor.randomNormal(arena, 4, 0f, 1f, 1, 64, 112, 112);
            pooled = Tensor.allocate(arena, stem.outputShape(x.shape()));
            refPooled = Tensor.allocate(arena, pooled.shape());
            feat = Tensor.randomNormal(arena, 5, 0f, 1f, 1, 512, 7, 7);
            avg = Tensor.allocate(arena, Shape.of(1, 512, 1, 1));
            refAvg = Tensor.allocate(arena, avg.shape());
            PoolRef.maxPool2d(x, stem, refPooled);
            maxPool();
            Tolerance.EXACT.assertClose("max pool", refPooled, pooled);
            PoolRef.globalAvgPool(feat, refAvg);
            globalAvg();
            Tolerance.forReduction(49, 1.0 / 49).assertClose("global avg pool", refAvg, avg);
        }

        void maxPool() {
            PoolKernels.maxPool2d(x.segment(), 0, pooled.segment(), 0, 112, 112, stem, 0, 64);
        }

        void globalAvg() {
            PoolKernels.globalAvgPool(feat.segment(), 0, avg.segment(), 0, 49, 0, 512);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public Tensor depthwise3x3Reference(Depthwise s) {
        s.reference();
        return s.refOut;
    }

    @Benchmark
    public Tensor depthwise3x3Padded(Depthwise s) {
        s.padded();
        return s.out;
    }

    @Benchmark
    public Tensor depthwise3x3Simd(Depthwise s) {
        s.simd();
        return s.out;
    }

    @Benchmark
    public Tensor maxPool3x3s2Reference(Pools s) {
        PoolRef.maxPool2d(s.x, s.stem, s.refPooled);
        return s.refPooled;
    }

    @Benchmark
    public Tensor maxPool3x3s2Simd(Pools s) {
        s.maxPool();
        return s.pooled;
    }

    @Benchmark
    public Tensor globalAvgPoolReference(Pools s) {
        PoolRef.globalAvgPool(s.feat, s.refAvg);
        return s.refAvg;
    }

    @Benchmark
    public Tensor globalAvgPoolSimd(Pools s) {
        s.globalAvg();
        return s.avg;
    }
}
