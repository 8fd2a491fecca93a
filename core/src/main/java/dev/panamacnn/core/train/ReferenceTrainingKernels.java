package dev.panamacnn.core.train;

/** The reference kernels: {@link TrainingKernels} with every default kept. */
final class ReferenceTrainingKernels implements TrainingKernels {
    static final ReferenceTrainingKernels INSTANCE = new ReferenceTrainingKernels();

    private ReferenceTrainingKernels() {}
}
