package dev.panamacnn.simd;

import dev.panamacnn.core.train.TrainingKernels;

/**
 * Chooses the training kernels, explicitly: the Vector API ones ({@code SimdTrainingKernels}:
 * GEMM-based convolution and dense gradients) when {@link SimdBackends#available()}, else the
 * reference kernels, with the reason logged once by {@link SimdBackends}.
 */
public final class SimdTraining {
    private SimdTraining() {}

    /** The fastest training kernels here, using {@code threads} threads; close them when done. */
    public static TrainingKernels create(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        return SimdBackends.available() ? new SimdTrainingKernels(threads) : TrainingKernels.reference();
    }
}
