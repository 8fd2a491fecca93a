package dev.panamacnn.simd;

/** How the simd backend computes an ungrouped convolution. */
public enum ConvAlgorithm {
    /** Per layer, whichever measured faster for its shape (see {@code SimdBackend.prefersDirect}). */
    AUTO,
    /** im2col packed into a blocked GEMM with vectors along output pixels (1×1: no im2col). */
    GEMM,
    /** Direct convolution with vectors along output channels, reading a zero-padded input copy. */
    DIRECT
}
