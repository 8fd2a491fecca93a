package dev.panamacnn.simd;

import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.BlockedDepthwise;
import dev.panamacnn.simd.kernels.BlockedConvTiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Depthwise convolution (groups = input = output channels) from a blocked input to a blocked
 * output, with fused bias and clamp ({@link BlockedDepthwise}); units of work are output rows of
 * one 16-channel block of one image.
 */
final class BlockedDepthwiseKernel extends RangeKernel {
    private static final int BLOCK = BlockedConvKernel.BLOCK;
    private static final long V = BLOCK * Float.BYTES;

    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment weights, bias;
    private final int blocks, h, w, oh, ow, taps;

    static boolean supports(Ops.Conv op) {
        int c = op.input().dim(1);
        return op.input().rank() == 4 && op.spec().groups() == c && op.output().dim(1) == c
                && op.residual() == null && BlockedConvTiles.supported();
    }

    BlockedDepthwiseKernel(Ops.Conv op) {
        super(op.input().dim(0) * (ChannelLayout.paddedChannels(op.input().dim(1), BLOCK) / BLOCK) * op.output().dim(2),
                (long) op.output().dim(3) * BLOCK * op.spec().kernelH() * op.spec().kernelW());
        if (!supports(op) || op.inLayout() != ChannelLayout.BLOCKED || op.outLayout() != ChannelLayout.BLOCKED) {
            throw new IllegalArgumentException("blocked depthwise convolution cannot run " + op.spec());
        }
        this.op = op;
        int c = op.input().dim(1);
        blocks = ChannelLayout.paddedChannels(c, BLOCK) / BLOCK;
        h = op.input().dim(2);
        w = op.input().dim(3);
        oh = op.output().dim(2);
        ow = op.output().dim(3);
        taps = op.spec().kernelH() * op.spec().kernelW();
        weights = arena.allocate(((long) blocks * taps + 3) * V, 64); // + three zero taps (BlockedDepthwise.rows)
        bias = arena.allocate(blocks * V, 64);
        for (int ch = 0; ch < c; ch++) {
            long base = (long) ch / BLOCK * taps * BLOCK + ch % BLOCK;
            for (int t = 0; t < taps; t++) {
                weights.setAtIndex(ValueLayout.JAVA_FLOAT, base + (long) t * BLOCK, op.weight()[ch * taps + t]);
            }
            bias.setAtIndex(ValueLayout.JAVA_FLOAT, ch, op.bias()[ch]);
        }
    }

    /**
     * Units are ordered (image, output row, block), so that a thread's share is a band of rows
     * of every block, as the convolutions' shares are (see {@code WorkerPool}); each block's rows
     * within {@code [from, to)} go in one call.
     */
    @Override
    void compute(ExecutionContext ctx, int from, int to, int worker) {
        MemorySegment ws = ctx.workspace();
        float lo = op.activation().min(), hi = op.activation().max();
        long inPlane = (long) h * w * V, outPlane = (long) oh * ow * V;
        int perImage = oh * blocks;
        for (int image = from / perImage; image * perImage < to; image++) {
            int a = Math.max(from - image * perImage, 0), b = Math.min(to - image * perImage, perImage);
            for (int block = 0; block < blocks; block++) {
                // Row y of this block is unit y * blocks + block: those in [a, b).
                int first = Math.ceilDiv(a - block, blocks), end = Math.ceilDiv(b - block, blocks);
                if (first >= end) continue;
                long plane = (long) image * blocks + block;
                BlockedDepthwise.rows(ws, op.in().byteOffset() + plane * inPlane, op.out().byteOffset() + plane * outPlane,
                        weights, block * taps * V, (long) blocks * taps * V, bias, block * V, h, w, ow, op.spec(),
                        first, end, lo, hi);
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
