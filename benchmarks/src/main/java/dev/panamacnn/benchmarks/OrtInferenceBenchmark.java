package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.nio.file.Path;
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
 * The same ONNX file on panama-cnn (simd) and on ONNX Runtime, same input and threads. Setup
 * checks that both give the same output before anything is timed. Generate the models with
 * {@code /usr/bin/python3 tools/onnx/export_models.py --full}, then:
 * {@code java -jar benchmarks/target/benchmarks.jar OrtInference -p model=target/onnx-full/resnet18/model.onnx,target/onnx-full/mobilenet_v2/model.onnx}
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OrtInferenceBenchmark {
    @Param({"target/onnx-full/resnet18/model.onnx"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    @Param({"panama-cnn", "onnxruntime"})
    public String engine;

    private Arena arena;
    private OnnxModel onnx;
    private CompiledModel plan;
    private OrtPeer ort;
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!SimdBackends.available()) throw new IllegalStateException(SimdBackends.unavailableReason());
        arena = Arena.ofShared();
        onnx = OnnxModel.load(Path.of(model), 1);
        plan = onnx.compile(CompileOptions.of(SimdBackends.fastest()).threads(threads));
        x = Tensor.randomNormal(arena, 42, 0f, 1f, onnx.inputShape().dims());
        y = Tensor.allocate(arena, plan.outputShape());
        ort = new OrtPeer(Path.of(model), onnx.inputShape(), x.toArray(), threads);
        plan.run(x, y);
        float[] theirs = ort.run();
        new Tolerance(1e-4, 2e-4 * Tolerance.rms(theirs), 4).assertClose(model + ": panama-cnn vs ONNX Runtime", theirs, y.toArray());
        if (engine.equals("panama-cnn")) {
            ort.close();
            ort = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (ort != null) ort.close();
        plan.close();
        onnx.close();
        arena.close();
    }

    @Benchmark
    public Object run() throws Exception {
        if (ort != null) {
            ort.runOnly();
            return ort;
        }
        plan.run(x, y);
        return y;
    }
}
