package dev.panamacnn.core.plan;

import java.util.Optional;

/**
 * A set of kernels a compiled model runs on. Backends are chosen explicitly by the caller
 * (no class-path discovery): {@link ReferenceBackend} here, the Vector API backend in the
 * {@code simd} module, OpenCL in {@code opencl}.
 */
public interface Backend {
    String name();

    Kernel conv(Ops.Conv op);

    Kernel linear(Ops.Linear op);

    Kernel pool(Ops.Pool op);

    Kernel globalPool(Ops.GlobalPool op);

    Kernel affine(Ops.Affine op);

    Kernel add(Ops.Add op);

    Kernel activation(Ops.Act op);

    Kernel softmax(Ops.Softmax op);

    Kernel copy(Ops.Copy op);

    /**
     * For backends whose kernels compute in their own memory rather than the host workspace (a
     * GPU): a step that moves the model's input slot there ({@code TO_BACKEND}, run first) or its
     * output slot back ({@code TO_HOST}, run last, and it must wait for all work to finish). A run
     * still copies the caller's tensors in and out of the host workspace around these steps.
     * Empty, the default, for backends that compute in the host workspace: nothing is added.
     */
    default Optional<Kernel> transfer(Ops.Transfer op) {
        return Optional.empty();
    }
}
