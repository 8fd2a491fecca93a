package dev.panamacnn.benchmarks;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.onnx.OnnxExporter;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX Runtime as a second opinion: on the PyTorch fixtures it agrees with PyTorch and with
 * panama-cnn, and it loads what panama-cnn's exporter writes and computes the same outputs.
 */
class OrtAgreementTest {
    static final Path FIXTURES = Path.of("../tests/src/test/resources/onnx");

    @TempDir
    Path tmp;

    static Tolerance tolerance(float[] expected) {
        return new Tolerance(1e-4, 2e-4 * Tolerance.rms(expected), 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2_narrow", "resnet_narrow", "resnet_narrow_bn", "op_zoo_11", "op_zoo_13", "op_zoo_17"})
    void ortAgreesWithPyTorchAndPanamaCnn(String name) throws Exception {
        Path dir = FIXTURES.resolve(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            float[] pytorch = Npy.read(dir.resolve("y.npy"), arena).toArray();
            try (OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"), x.shape());
                 CompiledModel plan = m.compile(CompileOptions.of(SimdBackends.fastest()));
                 OrtPeer ort = new OrtPeer(dir.resolve("model.onnx"), x.shape(), x.toArray(), 1)) {
                float[] theirs = ort.run();
                tolerance(pytorch).assertClose(name + ": ONNX Runtime vs PyTorch", pytorch, theirs);
                tolerance(theirs).assertClose(name + ": panama-cnn vs ONNX Runtime", theirs, plan.run(x, arena).toArray());
            }
        }
    }

    /** A classifier with a residual block and a two-branch Dag, built and initialised in Java. */
    static Layer javaModel() {
        Dag inception = Dag.builder("in")
                .add("a", Conv2d.of(16, 8, 1), "in")
                .add("b", Conv2d.of(16, 8, 3).padding(1), "in")
                .add("bAct", Act.hardSwish(), "b")
                .add("cat", new Concat(1), List.of("a", "bAct"), "cat")
                .add("sum", Binary.add(), List.of("cat", "in"), "sum")
                .build("sum");
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 16, 3).stride(2).padding(1).noBias())
                .add("bn1", BatchNorm.of(16))
                .add("relu", Act.relu6())
                .add("pool", Pool2d.max(Pool2dSpec.of(3).stride(2).padding(1)))
                .add("block", ResNet18.basicBlock(16, 16, 1))
                .add("mix", inception)
                .add("avg", Pool2d.avg(Pool2dSpec.of(2).stride(1)))
                .add("gap", GlobalPool.avg())
                .add("flatten", new Flatten())
                .add("fc", Linear.of(16, 10))
                .add("softmax", Softmax.ofClasses())
                .build();
    }

    @Test
    void ortLoadsTheExportAndComputesTheSameOutput() throws Exception {
        Shape in = Shape.of(1, 3, 32, 32);
        Path file = tmp.resolve("java_model.onnx");
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(javaModel(), in, 11)) {
            int i = 0;
            for (var e : m.state().asMap().entrySet()) e.getValue().fillUniform(100 + i++, 0.5f, 1.5f);
            OnnxExporter.write(m, file);
            Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, in.dims());
            float[] ours = m.forward(x, Mode.INFERENCE, arena).toArray();
            try (OrtPeer ort = new OrtPeer(file, in, x.toArray(), 1)) {
                tolerance(ours).assertClose("exported model on ONNX Runtime vs the layer forward", ours, ort.run());
            }
        }
    }
}
