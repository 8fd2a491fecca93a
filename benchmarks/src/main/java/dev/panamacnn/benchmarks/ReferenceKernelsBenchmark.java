package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
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
 * The scalar reference kernels: the baseline every fast backend is compared with (ratios, in
 * one run). Run: {@code java -jar benchmarks/target/benchmarks.jar ReferenceKernels}.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ReferenceKernelsBenchmark {
    private Arena arena;
    private Tensor x;
    private Tensor w;
    private Tensor out;
    private Conv2dSpec spec;
    private Model lenet;
    private Tensor digit;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        // A ResNet-18 layer3-like 3×3 conv, reduced to keep the scalar loop short.
        spec = Conv2dSpec.of(3).padding(1);
        x = Tensor.randomNormal(arena, 1, 0f, 1f, 1, 64, 28, 28);
        w = Tensor.randomNormal(arena, 2, 0f, 0.05f, 64, 64, 3, 3);
        out = Tensor.allocate(arena, Shape.of(1, 64, 28, 28));
        lenet = Model.init(LeNet5.build(), LeNet5.INPUT, 7);
        digit = Tensor.randomUniform(arena, 3, 0f, 1f, LeNet5.INPUT.dims());
        // Check results once before timing: the conv at one output equals a direct sum.
        ConvRef.conv2d(x, w, null, spec, out);
        double expected = 0;
        for (int c = 0; c < 64; c++)
            for (int p = 0; p < 3; p++)
                for (int q = 0; q < 3; q++) expected += x.get(0, c, 4 + p, 5 + q) * w.get(3, c, p, q);
        if (Math.abs(out.get(0, 3, 5, 6) - expected) > 1e-3) {
            throw new IllegalStateException("reference conv disagrees with a direct sum");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lenet.close();
        arena.close();
    }

    @Benchmark
    public Tensor conv3x3_64c_28x28() {
        ConvRef.conv2d(x, w, null, spec, out);
        return out;
    }

    @Benchmark
    public float lenetForward() {
        try (Arena a = Arena.ofConfined()) {
            return lenet.forward(digit, Mode.INFERENCE, a).getFlat(0);
        }
    }
}
