package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;

/**
 * How a planned 4-D activation [N, C, H, W] lies in the workspace. {@link #NCHW} is the plain
 * row-major order every tensor has outside a compiled model. {@link #BLOCKED} (NCHW[B]c, as in
 * oneDNN and ONNX Runtime's NCHWc) groups channels in blocks of B = {@link Backend#channelBlock()}:
 * element (n, c, y, x) lies at ((n·⌈C/B⌉ + c/B)·H·W + y·W + x)·B + c mod B. A vector of B lanes
 * then holds B channels of one pixel, so depthwise and 1×1 convolutions, pooling and the
 * write-out of direct-convolution tiles need no transposes and no partial vectors at row ends.
 * Channels past C (the last block's padding) hold finite values that every reader ignores or
 * multiplies by zero weights.
 */
public enum ChannelLayout {
    NCHW,
    BLOCKED;

    /** Channels a blocked tensor stores: C rounded up to whole blocks. */
    public static int paddedChannels(int channels, int block) {
        return (channels + block - 1) / block * block;
    }

    /** The storage a tensor of {@code shape} takes in this layout, as a shape ([N, C', H, W] when blocked). */
    public Shape storage(Shape shape, int block) {
        if (this == NCHW) return shape;
        int[] d = shape.dims();
        d[1] = paddedChannels(d[1], block);
        return Shape.of(d);
    }
}
