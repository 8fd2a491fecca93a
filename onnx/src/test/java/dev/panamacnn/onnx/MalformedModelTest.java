package dev.panamacnn.onnx;

import static dev.panamacnn.onnx.Protos.floats;
import static dev.panamacnn.onnx.Protos.i;
import static dev.panamacnn.onnx.Protos.model;
import static dev.panamacnn.onnx.Protos.node;
import static dev.panamacnn.onnx.Protos.of;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of broken file fails at load time with an {@link OnnxFormatException} that says what is wrong. */
@Timeout(30) // a hang would be a bug: fail instead of waiting
class MalformedModelTest {
    @TempDir
    Path tmp;

    static ModelProto relu() {
        return model(13, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("y"))});
    }

    private static void assertMessage(OnnxFormatException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention '" + p + "'");
    }

    private OnnxFormatException load(byte[] bytes) throws IOException {
        Path f = tmp.resolve("m.onnx");
        Files.write(f, bytes);
        return assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f).close());
    }

    @Test
    void aValidModelLoads() throws IOException {
        Path f = tmp.resolve("ok.onnx");
        Files.write(f, relu().toByteArray());
        try (OnnxModel m = OnnxModel.load(f)) {
            assertTrue(m.graph().nodes().size() == 1);
        }
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = model(13, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("y"))},
                floats("unused", new float[64], 64)).toByteArray();
        assertMessage(load(Arrays.copyOf(full, full.length - 40)), "m.onnx", "not a valid ONNX model");
    }

    @Test
    void wrongMagicOrNotAModel() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        load(png);
        byte[] npy = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
        load(npy);
        assertMessage(load(ModelProto.newBuilder().setProducerName("x").build().toByteArray()), "not an ONNX model");
        assertMessage(load(new byte[0]), "empty");
    }

    @Test
    void absurdDeclaredSizesNeverAllocate() throws IOException {
        // A tensor claiming 10^12 floats with 4 bytes of data.
        TensorProto huge = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1_000_000).addDims(1_000_000)
                .setRawData(ByteString.copyFrom(new byte[4])).build();
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("y"))}, huge).toByteArray()),
                "'w'", "elements");
        TensorProto lying = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1000)
                .setRawData(ByteString.copyFrom(new byte[8])).build();
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("y"))}, lying).toByteArray()),
                "'w'", "4000 bytes", "holds 8");
        // A protobuf length prefix of ~2 GiB for the graph field, with nothing behind it.
        byte[] claim = {0x08, 0x08, 0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        load(claim);
        // ConstantOfShape asked for 2^40 elements.
        NodeProto shape = node("Constant", "c", of(), of("s"), Protos.ints("value_ints", 1 << 20, 1 << 20));
        NodeProto big = node("ConstantOfShape", "big", of("s"), of("z"));
        NodeProto add = node("Add", "add", of("x", "z"), of("y"));
        NodeProto c = NodeProto.newBuilder(shape).clearAttribute().addAttribute(
                dev.panamacnn.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("value").setType(
                        dev.panamacnn.onnx.proto.OnnxProto.AttributeProto.AttributeType.TENSOR).setT(Protos.longs("v", 1 << 20, 1 << 20))).build();
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {c, big, add}).toByteArray()), "'big'", "elements");
    }

    @Test
    void danglingNamesAndCycles() throws IOException {
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {node("Add", "a", of("x", "ghost"), of("y"))}).toByteArray()),
                "node 'a' (Add)", "'ghost'");
        NodeProto a = node("Add", "a", of("x", "q"), of("p"));
        NodeProto b = node("Relu", "b", of("p"), of("q"));
        NodeProto c = node("Relu", "c", of("p"), of("y"));
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {a, b, c}).toByteArray()), "cycle");
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("z"))}).toByteArray()),
                "output 'y'");
    }

    @Test
    void unsupportedOperatorsAttributesAndOpsetsAreNamed() throws IOException {
        var e = load(model(13, new long[] {1, 2}, new NodeProto[] {node("Erf", "/blk/Erf", of("x"), of("y"))}).toByteArray());
        assertMessage(e, "node '/blk/Erf' (Erf)", "operator Erf is not supported", "supported operators:", "Conv", "HardSwish");
        e = load(model(13, new long[] {1, 2, 4, 4}, new NodeProto[] {node("MaxPool", "mp", of("x"), of("y"),
                Protos.ints("kernel_shape", 2, 2), i("fancy", 1))}).toByteArray());
        assertMessage(e, "node 'mp' (MaxPool)", "attribute 'fancy'", "kernel_shape");
        e = load(model(13, new long[] {1, 2, 4, 4}, new NodeProto[] {node("Pad", "p", of("x", "pads"), of("y"), Protos.s("mode", "reflect"))},
                Protos.longs("pads", 0, 0, 1, 1, 0, 0, 1, 1)).toByteArray());
        assertMessage(e, "node 'p' (Pad)", "reflect");
        assertMessage(load(model(9, new long[] {1, 2}, new NodeProto[] {node("Relu", "r", of("x"), of("y"))}).toByteArray()),
                "opset 9", "11 to 17");
        NodeProto custom = NodeProto.newBuilder(node("Relu", "r", of("x"), of("y"))).setDomain("com.microsoft").build();
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {custom}).toByteArray()), "com.microsoft");
        assertMessage(load(model(13, new long[] {1, 2}, new NodeProto[] {node("Shape", "s", of("x"), of("t")),
                node("Gather", "g", of("x", "t"), of("y"))}).toByteArray()), "node 'g' (Gather)", "load time");
    }

    @Test
    void externalDataIsReadNextToTheModelAndCheckedAndConfined() throws IOException {
        float[] w = {1f, -2f};
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putFloat(9f).putFloat(9f).putFloat(w[0]).putFloat(w[1]);
        Files.write(tmp.resolve("weights.bin"), b.array());
        NodeProto mul = node("Mul", "m", of("x", "w"), of("y"));
        try (OnnxModel m = OnnxModel.load(write("ext.onnx", model(13, new long[] {1, 2}, new NodeProto[] {mul},
                external("w", "weights.bin", 8, 8))))) {
            assertTrue(Arrays.equals(w, m.model().params().get("w").toArray()));
        }
        var e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(write("bad.onnx", model(13, new long[] {1, 2},
                new NodeProto[] {mul}, external("w", "weights.bin", 12, 8)))));
        assertMessage(e, "'w'", "16 bytes");
        e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(write("escape.onnx", model(13, new long[] {1, 2},
                new NodeProto[] {mul}, external("w", "../etc/passwd", 0, 8)))));
        assertMessage(e, "outside");
    }

    private Path write(String name, ModelProto m) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, m.toByteArray());
        return f;
    }

    private static TensorProto external(String name, String location, long offset, long length) {
        return TensorProto.newBuilder().setName(name).setDataType(1).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)))
                .build();
    }
}
