package dev.panamacnn.core.plan;

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
}
