package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
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
 * Compiled inference latency of the example models on the Vector API backend. With
 * {@code -prof gc}, {@code gc.alloc.rate.norm} shows the bytes allocated per run (expected ≈ 0).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar Inference -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class InferenceBenchmark {
    @Param({"resnet18", "lenet"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    @Param({"1"})
    public int batch;

    private Arena arena;
    private Model net;
    private CompiledModel plan;
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        Layer layer = model.equals("lenet") ? LeNet5.build() : ResNet18.build();
        Shape in = (model.equals("lenet") ? LeNet5.INPUT : ResNet18.INPUT).withDim(0, batch);
        arena = Arena.ofShared();
        net = Model.init(layer, in, 42);
        if (!SimdBackends.available()) throw new IllegalStateException(SimdBackends.unavailableReason());
        plan = Compiler.compile(net, in, CompileOptions.of(SimdBackends.fastest()).threads(threads));
        x = Tensor.randomNormal(arena, 1, 0f, 1f, in.dims());
        y = Tensor.allocate(arena, plan.outputShape());
        // Check once before timing: the compiled plan agrees with the reference model.
        plan.run(x, y);
        float[] expected = net.forward(x, Mode.INFERENCE, arena).toArray();
        float[] actual = y.toArray();
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-3 * (1 + Math.abs(expected[i]))) {
                throw new IllegalStateException("compiled " + model + " disagrees with the reference at " + i
                        + ": " + actual[i] + " vs " + expected[i]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plan.close();
        net.close();
        arena.close();
    }

    @Benchmark
    public Tensor run() {
        plan.run(x, y);
        return y;
    }
}
