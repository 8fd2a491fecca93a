/** panama-cnn simd: Vector API kernels (jdk.incubator.vector) and the capability probe. */
module dev.panamacnn.simd {
    requires transitive dev.panamacnn.core;
    // static: without the Vector API on the module graph the library falls back to the reference
    // kernels (SimdBackends.fastest()) instead of failing to start.
    requires static jdk.incubator.vector;

    exports dev.panamacnn.simd;
    exports dev.panamacnn.simd.gemm;
    exports dev.panamacnn.simd.kernels;
}
