package dev.panamacnn.onnx;

/**
 * An ONNX file that cannot be read or imported: not a protobuf model, truncated, inconsistent
 * (dangling names, cycles, sizes that do not match), or using an operator or attribute outside
 * the supported set. Always raised at load time, never during inference.
 */
public class OnnxFormatException extends IllegalArgumentException {
    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
