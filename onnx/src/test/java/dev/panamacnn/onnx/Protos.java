package dev.panamacnn.onnx;

import com.google.protobuf.ByteString;
import dev.panamacnn.onnx.proto.OnnxProto.AttributeProto;
import dev.panamacnn.onnx.proto.OnnxProto.GraphProto;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.panamacnn.onnx.proto.OnnxProto.TypeProto;
import dev.panamacnn.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small hand-built ONNX models for tests. */
final class Protos {
    private Protos() {}

    static NodeProto node(String op, String name, String[] inputs, String[] outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        for (String i : inputs) n.addInput(i);
        for (String o : outputs) n.addOutput(o);
        for (AttributeProto a : attrs) n.addAttribute(a);
        return n.build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static TensorProto longs(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    /** A model with input "x" of {@code dims}, output "y", the nodes and initializers given. */
    static ModelProto model(int opset, long[] dims, NodeProto[] nodes, TensorProto... inits) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("test").addInput(info("x", dims)).addOutput(info("y"));
        for (NodeProto n : nodes) g.addNode(n);
        for (TensorProto t : inits) g.addInitializer(t);
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
    }

    static String[] of(String... s) {
        return s;
    }
}
