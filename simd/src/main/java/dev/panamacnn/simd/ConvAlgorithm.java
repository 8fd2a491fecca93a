package dev.panamacnn.simd;

/** How the simd backend computes an ungrouped convolution. */
public enum ConvAlgorithm {
    /**
     * The default: blocked tensors (NCHW16c) between the convolutions, additions, activations and
     * global pooling that take them, where vectors have 16 lanes; elsewhere as {@link #NCHW}.
     */
    AUTO,
    /** NCHW tensors only; per layer whichever measured faster for its shape (see {@code SimdBackend.prefersDirect}). */
    NCHW,
    /** im2col packed into a blocked GEMM with vectors along output pixels (1×1: no im2col). */
    GEMM,
    /** Direct convolution with vectors along output channels, reading a zero-padded input copy. */
    DIRECT
}
