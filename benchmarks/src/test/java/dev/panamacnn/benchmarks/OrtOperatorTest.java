package dev.panamacnn.benchmarks;

import com.google.protobuf.ByteString;
import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.onnx.proto.OnnxProto.AttributeProto;
import dev.panamacnn.onnx.proto.OnnxProto.GraphProto;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.panamacnn.onnx.proto.OnnxProto.TypeProto;
import dev.panamacnn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operator forms PyTorch's classifiers rarely emit (auto_pad, opset-11 softmax over several
 * axes, Gemm without transB, Split by attribute, Flatten at another axis, …), hand-built and run
 * on panama-cnn (layer forward and both backends) with ONNX Runtime as the oracle.
 */
class OrtOperatorTest {
    @TempDir
    Path tmp;

    record Case(String name, int opset, int[] input, List<NodeProto> nodes, List<TensorProto> inits) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("softmax opset 11 over axes 1..3", 11, new int[] {2, 3, 2, 4},
                List.of(node("Softmax", of("x"), of("y"), i("axis", 1))), List.of()));
        c.add(new Case("global max pool, dropout, identity", 13, new int[] {2, 5, 7, 6},
                List.of(node("GlobalMaxPool", of("x"), of("p")), node("Dropout", of("p"), of("d")),
                        node("Identity", of("d"), of("y"))), List.of()));
        c.add(new Case("conv SAME_UPPER stride 2", 13, new int[] {1, 3, 9, 8},
                List.of(node("Conv", of("x", "w", "b"), of("y"), s("auto_pad", "SAME_UPPER"), ints("strides", 2, 2))),
                List.of(floats("w", 1, 4, 3, 4, 3), floats("b", 2, 4))));
        c.add(new Case("depthwise conv SAME_LOWER stride 2", 13, new int[] {1, 4, 10, 9},
                List.of(node("Conv", of("x", "w"), of("y"), s("auto_pad", "SAME_LOWER"), i("group", 4), ints("strides", 2, 2))),
                List.of(floats("w", 3, 4, 1, 3, 3))));
        c.add(new Case("gemm transB 0 with a row bias", 13, new int[] {3, 6},
                List.of(node("Gemm", of("x", "w", "c"), of("y"))), List.of(floats("w", 4, 6, 5), floats("c", 5, 1, 5))));
        c.add(new Case("split by attribute (opset 11) and concat back swapped", 11, new int[] {1, 6, 3, 3},
                List.of(node("Split", of("x"), of("a", "b"), i("axis", 1), ints("split", 2, 4)),
                        node("Concat", of("b", "a"), of("y"), i("axis", 1))), List.of()));
        c.add(new Case("split by input (opset 13), sub", 13, new int[] {1, 6, 3, 3},
                List.of(node("Split", of("x", "sizes"), of("a", "b"), i("axis", 1)), node("Sub", of("a", "b"), of("y"))),
                List.of(longs("sizes", 3, 3))));
        c.add(new Case("average pool counting padding, hard sigmoid", 13, new int[] {1, 2, 7, 7},
                List.of(node("AveragePool", of("x"), of("p"), ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1), i("count_include_pad", 1)),
                        node("HardSigmoid", of("p"), of("y"), f("alpha", 0.3f), f("beta", 0.4f))), List.of()));
        c.add(new Case("flatten at axis 2, squeeze by attribute, transpose", 11, new int[] {2, 3, 1, 4},
                List.of(node("Squeeze", of("x"), of("s"), ints("axes", 2)), node("Transpose", of("s"), of("t")),
                        node("Flatten", of("t"), of("y"), i("axis", 2))), List.of()));
        c.add(new Case("batch norm on [N, C], matmul by a runtime operand", 13, new int[] {4, 3},
                List.of(node("BatchNormalization", of("x", "g", "b", "m", "v"), of("n"), f("epsilon", 1e-3f)),
                        node("Transpose", of("n"), of("nt")), node("MatMul", of("n", "nt"), of("y"))),
                List.of(floats("g", 6, 3), floats("b", 7, 3), floats("m", 8, 3), positive("v", 3))));
        return c.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(Case c) throws Exception {
        Path file = tmp.resolve("m.onnx");
        Files.write(file, model(c).toByteArray());
        Shape in = Shape.of(c.input());
        try (Arena arena = Arena.ofConfined(); OnnxModel m = OnnxModel.load(file)) {
            Tensor x = Tensor.randomNormal(arena, 17, 0f, 1f, c.input());
            float[] expected;
            try (OrtPeer ort = new OrtPeer(file, in, x.toArray(), 1)) {
                expected = ort.run();
            }
            var tol = OrtAgreementTest.tolerance(expected);
            tol.assertClose(c.name() + ": layer forward", expected, m.model().forward(x, Mode.INFERENCE, arena).toArray());
            for (var backend : List.of(ReferenceBackend.INSTANCE, SimdBackends.fastest())) {
                try (CompiledModel plan = m.compile(CompileOptions.of(backend))) {
                    tol.assertClose(c.name() + ": " + backend.name(), expected, plan.run(x, arena).toArray());
                }
            }
        }
    }

    // ---------------------------------------------------------------- proto helpers

    static ModelProto model(Case c) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : c.input()) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        ValueInfoProto x = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
        ValueInfoProto y = ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))).build();
        GraphProto g = GraphProto.newBuilder().setName("case").addInput(x).addOutput(y).addAllNode(c.nodes())
                .addAllInitializer(c.inits()).build();
        return ModelProto.newBuilder().setIrVersion(c.opset() < 13 ? 6 : 7)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(c.opset())).setGraph(g).build();
    }

    static NodeProto node(String op, String[] in, String[] out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(op + "_" + out[0]).addAllInput(List.of(in))
                .addAllOutput(List.of(out)).addAllAttribute(List.of(attrs)).build();
    }

    static String[] of(String... s) {
        return s;
    }

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** Seeded N(0, 0.5²) floats of the given dims. */
    static TensorProto floats(String name, long seed, int... dims) {
        java.util.Random r = new java.util.Random(seed);
        int n = 1;
        for (int d : dims) n *= d;
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) b.putFloat((float) (0.5 * r.nextGaussian()));
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (int d : dims) t.addDims(d);
        return t.build();
    }

    static TensorProto positive(String name, int n) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).addDims(n);
        for (int k = 0; k < n; k++) t.addFloatData(0.5f + k);
        return t.build();
    }

    static TensorProto longs(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }
}
