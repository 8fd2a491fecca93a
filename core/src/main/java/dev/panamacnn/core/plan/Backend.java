package dev.panamacnn.core.plan;

import java.util.Optional;

/**
 * A set of kernels a compiled model runs on. The operators that came with graph models
 * (broadcast arithmetic, concat, transpose, pad, slice, reduce-mean, matmul, constants) have
 * default implementations on the reference kernels over the host workspace ({@link HostKernels}):
 * correct for every backend whose workspace is host memory; a backend overrides the ones that
 * matter for speed. Backends are chosen explicitly by the caller
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
     * Channels per block of this backend's blocked layout ({@link ChannelLayout#BLOCKED}), or 0
     * (the default) when its kernels only take NCHW. With a block size, the compiler asks
     * {@link #blockedConvInputs} per convolution and keeps the tensors between blocked kernels
     * blocked, converting with {@link #reorder} only where a plain kernel reads them. Such a
     * backend must also run additions, activations, pooling and global pooling on blocked
     * inputs (their ops say so: {@code Ops.Pool.layout}, {@code Ops.GlobalPool.inLayout}; the
     * element-wise ops get the padded storage shape).
     */
    default int channelBlock() {
        return 0;
    }

    /**
     * The input layouts under which this backend runs {@code op} with a blocked output: empty (the
     * default) runs it on NCHW; {@code {BLOCKED}} needs a blocked input; {@code {NCHW, BLOCKED}}
     * takes either (e.g. a first layer reading the model's NCHW image). {@code op}'s buffers are
     * not yet planned (every reference is offset 0; the residual is null when there is none)
     * and its layouts are NCHW.
     */
    default java.util.Set<ChannelLayout> blockedConvInputs(Ops.Conv op) {
        return java.util.Set.of();
    }

    /**
     * Whether this backend runs {@code producer} writing its blocked output inside a zero border
     * {@code halo} pixels wide (see {@link Ops.Conv}); with a residual, the residual then has the
     * same halo. This and {@link #readsHalo} are asked of probes as in {@link #blockedConvInputs}
     * (NCHW layouts, unplanned buffers, no halos), and separately: a kernel said yes to must run
     * with any combination of input halo, output halo and residual. No by default.
     */
    default boolean writesHalo(Ops.Conv producer, int halo) {
        return false;
    }

    /** As {@link #writesHalo(Ops.Conv, int)}, for a pooling's output (its probe's layout is BLOCKED). No by default. */
    default boolean writesHalo(Ops.Pool producer, int halo) {
        return false;
    }

    /**
     * Whether this backend runs {@code consumer} reading a blocked input that has a halo
     * {@code halo} pixels wide, at least its padding, in place. No by default.
     */
    default boolean readsHalo(Ops.Conv consumer, int halo) {
        return false;
    }

    /** As {@link #readsHalo(Ops.Conv, int)}, for a global pooling (its probe's layout is BLOCKED). No by default. */
    default boolean readsHalo(Ops.GlobalPool consumer, int halo) {
        return false;
    }

    /**
     * Converts between NCHW and the blocked layout. Asked only of backends with a block size,
     * which must provide it along with their blocked kernels.
     */
    default Kernel reorder(Ops.Reorder op) {
        throw new UnsupportedOperationException("backend " + name() + " has no blocked layout to reorder "
                + op.from() + " -> " + op.to());
    }

    default Kernel binary(Ops.Binary op) {
        return HostKernels.binary(op);
    }

    default Kernel concat(Ops.Concat op) {
        return HostKernels.concat(op);
    }

    default Kernel transpose(Ops.Transpose op) {
        return HostKernels.transpose(op);
    }

    default Kernel pad(Ops.Pad op) {
        return HostKernels.pad(op);
    }

    default Kernel slice(Ops.Slice op) {
        return HostKernels.slice(op);
    }

    default Kernel reduceMean(Ops.ReduceMean op) {
        return HostKernels.reduceMean(op);
    }

    default Kernel matmul(Ops.MatMul op) {
        return HostKernels.matmul(op);
    }

    default Kernel constant(Ops.Constant op) {
        return HostKernels.constant(op);
    }

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
