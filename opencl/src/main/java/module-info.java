/**
 * panama-cnn OpenCL backend: {@link dev.panamacnn.opencl.OpenClBackend} runs compiled models on
 * any OpenCL 1.2+ device through hand-written FFM bindings (no JNI). Needs native access:
 * {@code --enable-native-access=dev.panamacnn.opencl} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.panamacnn.opencl {
    requires transitive dev.panamacnn.core;

    exports dev.panamacnn.opencl;
}
