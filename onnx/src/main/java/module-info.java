/** panama-cnn onnx: reads ONNX models into the layer API and writes layer models back to ONNX. */
module dev.panamacnn.onnx {
    requires transitive dev.panamacnn.core;
    requires com.google.protobuf;

    exports dev.panamacnn.onnx;
}
