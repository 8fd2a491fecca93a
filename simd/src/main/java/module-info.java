/** panama-cnn simd: Vector API kernels (jdk.incubator.vector) and the capability probe. */
module dev.panamacnn.simd {
    requires transitive dev.panamacnn.core;
    requires jdk.incubator.vector;

    exports dev.panamacnn.simd;
    exports dev.panamacnn.simd.kernels;
}
