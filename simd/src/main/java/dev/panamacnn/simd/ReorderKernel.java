package dev.panamacnn.simd;

import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Ops;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * NCHW ⇄ blocked (NCHW16c) conversion where a plain operator meets a blocked tensor. One unit is
 * one 16-channel block of one image; it moves pixels in chunks small enough that the chunk's
 * 16 channel rows and its pixel-major block both stay in L1, so each cache line is read and
 * written once (element by element, a plane at a time, every line of the block was rewritten
 * 16 times). Padding channels of a blocked result are zeroed.
 */
final class ReorderKernel extends RangeKernel {
    private static final int BLOCK = BlockedConvKernel.BLOCK;
    private static final int CHUNK = 256;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private final int channels, blocks;
    private final long pixels, in, out;
    private final boolean toBlocked;

    ReorderKernel(Ops.Reorder op) {
        super(op.shape().dim(0) * (ChannelLayout.paddedChannels(op.shape().dim(1), op.block()) / op.block()),
                op.shape().sizeFrom(2) * op.block());
        if (op.block() != BLOCK || op.from() == op.to()) {
            throw new IllegalArgumentException("reorder " + op.from() + " -> " + op.to() + " with block " + op.block());
        }
        channels = op.shape().dim(1);
        blocks = ChannelLayout.paddedChannels(channels, BLOCK) / BLOCK;
        pixels = op.shape().sizeFrom(2);
        in = op.in().elementOffset();
        out = op.out().elementOffset();
        toBlocked = op.to() == ChannelLayout.BLOCKED;
    }

    @Override
    void compute(ExecutionContext ctx, int from, int to, int worker) {
        MemorySegment ws = ctx.workspace();
        for (int u = from; u < to; u++) {
            int image = u / blocks, c0 = u % blocks * BLOCK, lanes = Math.min(BLOCK, channels - c0);
            long plain = ((long) image * channels + c0) * pixels, blocked = (long) u * pixels * BLOCK;
            for (long p0 = 0; p0 < pixels; p0 += CHUNK) {
                long p1 = Math.min(pixels, p0 + CHUNK);
                for (int l = 0; l < BLOCK; l++) {
                    long row = plain + l * pixels, lane = blocked + l;
                    if (toBlocked) {
                        for (long p = p0; p < p1; p++) {
                            ws.setAtIndex(FLOAT, out + lane + p * BLOCK, l < lanes ? ws.getAtIndex(FLOAT, in + row + p) : 0f);
                        }
                    } else if (l < lanes) {
                        for (long p = p0; p < p1; p++) {
                            ws.setAtIndex(FLOAT, out + row + p, ws.getAtIndex(FLOAT, in + lane + p * BLOCK));
                        }
                    }
                }
            }
        }
    }
}
