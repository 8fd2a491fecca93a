package dev.panamacnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.MnistCnnBn;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Constant;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Reshape;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.layers.Variables;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.ops.SliceSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model built with the layer API, written to ONNX and read back, is the same model: same variables, same outputs bit for bit. */
class RoundTripTest {
    @TempDir
    Path tmp;

    /** Every exportable layer kind: stem, residual blocks, a branchy Dag, pooling variants, a classifier head. */
    static Layer everything() {
        Dag mixer = Dag.builder("in")
                .add("left", Conv2d.of(16, 8, 1), "in")
                .add("right", new Slice(new SliceSpec(new int[] {1}, new long[] {8}, new long[] {16}, new long[] {1})), "in")
                .add("rightAct", Act.hardSwish(), "right")
                .add("cat", new Concat(1), List.of("left", "rightAct"), "cat")
                .add("gate", new Constant(Shape.of(1, 16, 1, 1)), List.of(), "gate")
                .add("scaled", new Binary(BinaryOp.MUL), List.of("cat", "gate"), "scaled")
                .add("centred", new Binary(BinaryOp.SUB), List.of("scaled", "in"), "centred")
                .add("sig", Act.hardSigmoid(0.2f, 0.5f), "centred")
                .add("padded", new Pad(new int[] {0, 0, 1, 0, 0, 0, 0, 1}, 0f), "sig")
                .add("swapped", new Transpose(new int[] {0, 1, 3, 2}), "padded")
                .build("swapped");
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 16, 3).stride(2).padding(1).noBias())
                .add("bn1", BatchNorm.of(16))
                .add("relu", Act.relu6())
                .add("pool", Pool2d.max(Pool2dSpec.of(3).stride(2).ceilMode(true)))
                .add("block1", ResNet18.basicBlock(16, 16, 1))
                .add("mixer", mixer)
                .add("block2", ResNet18.basicBlock(16, 24, 2))
                .add("avg", Pool2d.avg(Pool2dSpec.of(3).stride(1).padding(1).countIncludePad(false)))
                .add("tanh", Act.tanh())
                .add("mean", new ReduceMean(new int[] {3}, true))
                .add("gap", GlobalPool.max())
                .add("flatten", new Flatten())
                .add("drop", new Dropout(0.5f))
                .add("fc", Linear.of(24, 12))
                .add("fold", Reshape.to(1, 3, 4))
                .add("sigmoid", Act.sigmoid())
                .add("softmax", new Softmax(-1))
                .build();
    }

    @Test
    void exportThenImportGivesTheSameModel() throws IOException {
        Shape in = Shape.of(1, 3, 23, 21);
        Path file = tmp.resolve("everything.onnx");
        try (Arena arena = Arena.ofConfined(); Model original = Model.init(everything(), in, 5)) {
            randomise(original.params(), 1);
            randomise(original.state(), 2);
            OnnxExporter.write(original, file);
            try (OnnxModel back = OnnxModel.load(file)) {
                assertEquals(in, back.inputShape());
                assertEquals(original.outputShape(), back.outputShape());
                assertVariablesEqual(original.params(), back.model().params());
                assertVariablesEqual(original.state(), back.model().state());
                Tensor x = Tensor.randomNormal(arena, 9, 0f, 1f, in.dims());
                assertArrayEquals(original.forward(x, Mode.INFERENCE, arena).toArray(),
                        back.model().forward(x, Mode.INFERENCE, arena).toArray(), "same layers, same reference kernels: bit-exact");
            }
        }
    }

    /** The MNIST examples (batch-norm, dropout) with a symbolic batch and metadata: any batch reads back bit-exact. */
    @Test
    void mnistExamplesExportWithASymbolicBatchAndMetadata() throws IOException {
        for (Layer net : List.of(LeNet5.build(), MnistCnnBn.build())) {
            Path file = tmp.resolve("mnist.onnx");
            try (Arena arena = Arena.ofConfined(); Model original = Model.init(net, LeNet5.INPUT, 5)) {
                randomise(original.params(), 3);
                randomise(original.state(), 4);
                OnnxExporter.write(original, file, OnnxExporter.Options.DEFAULT.withSymbolicBatch()
                        .withMetadata(Map.of("normalization.mean", "0.1307", "model", "test")));
                try (OnnxModel back = OnnxModel.load(file, 5)) {
                    assertEquals(Map.of("model", "test", "normalization.mean", "0.1307"), back.metadata());
                    assertEquals(Shape.of(5, 1, 28, 28), back.inputShape());
                    Tensor x = Tensor.randomNormal(arena, 9, 0f, 1f, 5, 1, 28, 28);
                    assertArrayEquals(original.forward(x, Mode.INFERENCE, arena).toArray(),
                            back.model().forward(x, Mode.INFERENCE, arena).toArray(), net.describe());
                }
            }
        }
    }

    @Test
    void aSymbolicBatchIsRefusedWhenTheModelFixesTheBatch() {
        try (Model m = Model.init(Sequential.of(new Flatten(), Reshape.to(1, 2, 3)), Shape.of(1, 6), 0)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.toBytes(m, OnnxExporter.Options.DEFAULT.withSymbolicBatch()));
            assertEquals(true, e.getMessage().contains("symbolic batch"), e.getMessage());
            assertEquals(Map.of(), OnnxModel.load(OnnxExporter.toBytes(m), null).metadata());
        }
    }

    @Test
    void layersWithoutAnOnnxFormAreNamed() {
        Layer odd = Sequential.of(new Layer() {
            public Shape outputShape(Shape s) {
                return s;
            }

            public Tensor apply(dev.panamacnn.core.layers.Scope scope, Tensor x) {
                return x;
            }

            public String describe() {
                return "Custom";
            }
        });
        try (Model m = Model.init(odd, Shape.of(1, 2), 0)) {
            var e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.toBytes(m));
            assertEquals(true, e.getMessage().contains("'0' (Custom)"), e.getMessage());
        }
    }

    /** Non-trivial values everywhere (positive variances). */
    static void randomise(Variables vars, long seed) {
        int i = 0;
        for (var e : vars.asMap().entrySet()) {
            if (e.getKey().endsWith("running_var")) e.getValue().fillUniform(seed + i++, 0.5f, 2f);
            else e.getValue().fillUniform(seed + i++, -0.7f, 0.7f);
        }
    }

    static void assertVariablesEqual(Variables expected, Variables actual) {
        assertEquals(new TreeSet<>(expected.names()), new TreeSet<>(actual.names()));
        for (String n : expected.names()) assertArrayEquals(expected.get(n).toArray(), actual.get(n).toArray(), n);
    }
}
