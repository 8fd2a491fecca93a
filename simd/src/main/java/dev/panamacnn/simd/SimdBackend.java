package dev.panamacnn.simd;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.simd.kernels.BlockedConvTiles;
import java.util.EnumSet;
import java.util.Set;

/**
 * The Vector API backend. Obtain it through {@link SimdBackends#fastest()}, which checks that
 * the JVM can run it.
 */
public final class SimdBackend implements Backend {
    private static final SimdBackend INSTANCE = new SimdBackend(defaultConvAlgorithm());

    private final ConvAlgorithm convAlgorithm;

    private SimdBackend(ConvAlgorithm convAlgorithm) {
        this.convAlgorithm = convAlgorithm;
    }

    static SimdBackend instance() {
        return INSTANCE;
    }

    static SimdBackend with(ConvAlgorithm algorithm) {
        return algorithm == INSTANCE.convAlgorithm ? INSTANCE : new SimdBackend(algorithm);
    }

    /**
     * {@code -Dpanama.simd.depthwise=planes} runs every depthwise layer plane by plane (no channel
     * blocks), for measurements.
     */
    private static final boolean DEPTHWISE_PLANES_ONLY = "planes".equals(System.getProperty("panama.simd.depthwise"));

    /** {@code -Dpanama.simd.winograd=false} runs 3×3 stride-1 layers with the direct kernel, for measurements. */
    private static final boolean WINOGRAD = !"false".equals(System.getProperty("panama.simd.winograd"));

    /** {@code -Dpanama.simd.conv=auto|nchw|gemm|direct} overrides the default, for measurements. */
    private static ConvAlgorithm defaultConvAlgorithm() {
        String v = System.getProperty("panama.simd.conv", "auto");
        try {
            return ConvAlgorithm.valueOf(v.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("panama.simd.conv must be auto, nchw, gemm or direct, got '" + v + "'");
        }
    }

    public ConvAlgorithm convAlgorithm() {
        return convAlgorithm;
    }

    @Override
    public String name() {
        return "simd";
    }

    /** Blocked tensors (NCHW16c) with the default algorithm where vectors have 16 lanes. */
    @Override
    public int channelBlock() {
        return convAlgorithm == ConvAlgorithm.AUTO && BlockedConvTiles.supported() ? BlockedConvKernel.BLOCK : 0;
    }

    /**
     * Depthwise convolutions read blocked inputs; ungrouped ones read either layout (a model's
     * first layer reads its NCHW image without a reorder). Other grouped convolutions stay NCHW.
     */
    @Override
    public Set<ChannelLayout> blockedConvInputs(Ops.Conv op) {
        if (channelBlock() == 0) return Set.of();
        if (BlockedDepthwiseKernel.supports(op)) return EnumSet.of(ChannelLayout.BLOCKED);
        if (BlockedConvKernel.supports(op)) return EnumSet.allOf(ChannelLayout.class);
        return Set.of();
    }

    /** Ungrouped blocked convolutions write halos ({@link BlockedConvKernel}). */
    @Override
    public boolean writesHalo(Ops.Conv producer, int halo) {
        return channelBlock() > 0 && BlockedConvKernel.writesHalo(producer, halo);
    }

    /** Blocked pooling writes halos. */
    @Override
    public boolean writesHalo(Ops.Pool producer, int halo) {
        return channelBlock() > 0 && RangeKernels.blockedPoolWritesHalo(producer);
    }

    /** Ungrouped blocked convolutions padded by at most the halo read it in place. */
    @Override
    public boolean readsHalo(Ops.Conv consumer, int halo) {
        return channelBlock() > 0 && BlockedConvKernel.readsHalo(consumer, halo);
    }

    /** A global average sums the zero border with the pixels; a maximum would see its zeros. */
    @Override
    public boolean readsHalo(Ops.GlobalPool consumer, int halo) {
        return channelBlock() > 0 && !consumer.max() && consumer.input().rank() == 4;
    }

    @Override
    public Kernel reorder(Ops.Reorder op) {
        return new ReorderKernel(op);
    }

    @Override
    public Kernel conv(Ops.Conv op) {
        if (op.outLayout() == ChannelLayout.BLOCKED) {
            if (BlockedDepthwiseKernel.supports(op)) return new BlockedDepthwiseKernel(op);
            return WINOGRAD && WinogradConvKernel.supports(op) ? new WinogradConvKernel(op) : new BlockedConvKernel(op);
        }
        // NCHW: other grouped convolutions, 8-lane machines, and ConvAlgorithm NCHW, GEMM, DIRECT.
        int c = op.input().dim(1), o = op.output().dim(1);
        boolean depthwise = op.spec().groups() == c && c == o;
        if (!DEPTHWISE_PLANES_ONLY && DepthwiseBlockKernel.supports(op)) {
            return new DepthwiseBlockKernel(op);
        }
        if (DepthwiseConvKernel.supports(op)) return new DepthwiseConvKernel(op);
        if (depthwise && op.residual() == null) return RangeKernels.depthwise(op);
        return prefersDirect(op, convAlgorithm) ? new DirectConvKernel(op) : new ConvGemmKernel(op);
    }

    /**
     * Direct convolution for every ungrouped k×k or strided convolution: on ResNet-18 and
     * MobileNetV2 (per-layer profiles in BENCHMARKS.md) it beat im2col + GEMM on all of them, the
     * 7×7 stem included. Of the stride-1 1×1 convolutions — GEMM reads their input plane as its B
     * matrix with no copy — it takes the "projections" with a long reduction (K ≥ 192 input
     * channels, no more output channels than that): writing a tile out costs the direct kernel
     * about as much per output as a few dozen FMAs, so short reductions (expansions, K = 16–160)
     * stay on GEMM, where they ran 1.2–1.8× faster.
     */
    static boolean prefersDirect(Ops.Conv op, ConvAlgorithm algorithm) {
        if (!DirectConvKernel.supports(op)) return false;
        return switch (algorithm) {
            case DIRECT -> true;
            case GEMM -> false;
            case AUTO, NCHW -> {
                var s = op.spec();
                int k = op.input().dim(1), outChannels = op.output().dim(1);
                yield s.kernelH() * s.kernelW() > 1 || s.strideH() > 1 || s.strideW() > 1
                        || (k >= 192 && outChannels <= k);
            }
        };
    }

    @Override
    public Kernel linear(Ops.Linear op) {
        return new LinearGemmKernel(op);
    }

    @Override
    public Kernel pool(Ops.Pool op) {
        return RangeKernels.pool(op);
    }

    @Override
    public Kernel globalPool(Ops.GlobalPool op) {
        if (op.inLayout() == ChannelLayout.BLOCKED) return RangeKernels.blockedGlobalPool(op);
        return RangeKernels.globalPool(op);
    }

    @Override
    public Kernel affine(Ops.Affine op) {
        return RangeKernels.affine(op);
    }

    @Override
    public Kernel add(Ops.Add op) {
        return RangeKernels.add(op);
    }

    @Override
    public Kernel activation(Ops.Act op) {
        return RangeKernels.activation(op);
    }

    @Override
    public Kernel softmax(Ops.Softmax op) {
        boolean lastAxis = op.axis() == op.shape().rank() - 1;
        return lastAxis ? RangeKernels.softmax(op) : ReferenceBackend.INSTANCE.softmax(op);
    }

    @Override
    public Kernel binary(Ops.Binary op) {
        return RangeKernels.binary(op);
    }

    @Override
    public Kernel copy(Ops.Copy op) {
        long bytes = op.shape().size() * Float.BYTES;
        return ctx -> () -> java.lang.foreign.MemorySegment.copy(ctx.workspace(), op.in().byteOffset(),
                ctx.workspace(), op.out().byteOffset(), bytes);
    }
}
