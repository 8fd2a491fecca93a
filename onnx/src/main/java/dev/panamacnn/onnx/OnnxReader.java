package dev.panamacnn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the protobuf of an {@code .onnx} file and checks what the rest of the importer relies
 * on: a graph, a supported IR version and a supported default-domain opset.
 */
final class OnnxReader {
    /** Opsets whose operator semantics the importer implements. */
    static final int MIN_OPSET = 11, MAX_OPSET = 17;
    /** IR 6 is what PyTorch writes at opsets 11 and 12; 3 is the first IR with opset imports. */
    static final long MIN_IR = 3;
    /** protobuf cannot address more than 2 GiB in one message; larger models use external data. */
    private static final long MAX_FILE = Integer.MAX_VALUE;
    private static final int MAX_NESTING = 64;

    private OnnxReader() {}

    static ModelProto read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE) {
            throw new OnnxFormatException(file + ": " + size + " bytes is larger than one protobuf message can be"
                    + " (2 GiB); store the weights as external data");
        }
        if (size == 0) throw new OnnxFormatException(file + ": empty file, not an ONNX model");
        byte[] bytes = Files.readAllBytes(file);
        return parse(bytes, file.toString());
    }

    static ModelProto parse(byte[] bytes, String source) {
        ModelProto model;
        try {
            // From an array, a declared length beyond the end fails as truncated: nothing is
            // allocated from a size the file merely claims.
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(MAX_NESTING);
            model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxFormatException(source + ": cannot be parsed: " + e.getMessage(), e);
        }
        check(model, source);
        return model;
    }

    private static void check(ModelProto m, String source) {
        if (!m.hasGraph() || !m.hasIrVersion()) {
            throw new OnnxFormatException(source + ": not an ONNX model (no " + (m.hasGraph() ? "ir_version" : "graph")
                    + " field; is this really an .onnx file?)");
        }
        if (m.getIrVersion() < MIN_IR) {
            throw new OnnxFormatException(source + ": ONNX IR version " + m.getIrVersion() + " is too old (supported: "
                    + MIN_IR + " and newer)");
        }
        opset(m, source);
    }

    /** The default-domain opset; throws unless it is in [MIN_OPSET, MAX_OPSET]. */
    static int opset(ModelProto m, String source) {
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new OnnxFormatException(source + ": opset " + v + " is not supported (supported: "
                            + MIN_OPSET + " to " + MAX_OPSET + "; re-export with opset_version in that range)");
                }
                return (int) v;
            }
        }
        throw new OnnxFormatException(source + ": the model imports no default-domain (ai.onnx) opset");
    }
}
