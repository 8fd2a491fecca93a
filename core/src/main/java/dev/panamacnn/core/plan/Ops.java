package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.SliceSpec;
import java.util.List;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;

/**
 * What a backend is asked to prepare: one record per operation of a compiled model, with its
 * shapes, its (already folded) weights, its fused epilogue and where its tensors live.
 * Epilogue activations are clamps ({@link Activation#isClamp()}): y = clamp(x, min, max).
 */
public final class Ops {
    private Ops() {}

    /**
     * Convolution with batch-norm already folded in: y = clamp(conv(x, weight) + bias[o]
     * (+ residual)). {@code weight} is [O, C/groups, kH, kW] row-major, {@code bias} has O
     * entries (zeros when the layer had none), {@code residual} is null or a tensor of the
     * output's shape added before the clamp. {@code inLayout} and {@code outLayout} say how the
     * input and the output (and the residual) lie; both are {@link ChannelLayout#NCHW} unless the
     * backend asked for blocked tensors ({@link Backend#blockedConvInputs}).
     *
     * <p>{@code inHalo} and {@code outHalo} are 0 unless the backend accepted halos ({@link
     * Backend#writesHalo}, {@link Backend#readsHalo}): a blocked tensor with halo p is stored as
     * [N, C', H + 2p, W + 2p], its H × W pixels inside a border p pixels wide that its producer
     * writes as zeros, so that a convolution padded by up to p reads it in place instead of
     * copying it into zero-padded planes first. The residual has the output's halo.
     */
    public record Conv(Shape input, Shape output, Conv2dSpec spec, float[] weight, float[] bias,
                       Activation activation, BufferRef in, BufferRef out, BufferRef residual,
                       ChannelLayout inLayout, ChannelLayout outLayout, int inHalo, int outHalo) {
        /** A convolution whose tensors have no halo. */
        public Conv(Shape input, Shape output, Conv2dSpec spec, float[] weight, float[] bias,
                    Activation activation, BufferRef in, BufferRef out, BufferRef residual,
                    ChannelLayout inLayout, ChannelLayout outLayout) {
            this(input, output, spec, weight, bias, activation, in, out, residual, inLayout, outLayout, 0, 0);
        }
    }

    /** Dense layer y = clamp(x·Wᵀ + b): x [N, F], weight [O, F] row-major, bias [O]. */
    public record Linear(Shape input, Shape output, float[] weight, float[] bias,
                         Activation activation, BufferRef in, BufferRef out) {}

    /**
     * Max or average pooling; input and output both in {@code layout}. A blocked output may have
     * a halo ({@code outHalo}, as in {@link Conv}); the input has none.
     */
    public record Pool(Shape input, Shape output, Pool2dSpec spec, boolean max,
                       BufferRef in, BufferRef out, ChannelLayout layout, int outHalo) {
        /** A pooling whose output has no halo. */
        public Pool(Shape input, Shape output, Pool2dSpec spec, boolean max, BufferRef in, BufferRef out, ChannelLayout layout) {
            this(input, output, spec, max, in, out, layout, 0);
        }
    }

    /**
     * Global average or max pooling: [N, C, H, W] → [N, C, 1, 1]. The output is always NCHW; the
     * input is blocked when its producer ran blocked, and may then have a halo ({@code inHalo},
     * as in {@link Conv}).
     */
    public record GlobalPool(Shape input, boolean max, BufferRef in, BufferRef out, ChannelLayout inLayout, int inHalo) {
        /** A global pooling whose input has no halo. */
        public GlobalPool(Shape input, boolean max, BufferRef in, BufferRef out, ChannelLayout inLayout) {
            this(input, max, in, out, inLayout, 0);
        }
    }

    /** Per-channel (axis 1) y = clamp(x·scale[c] + shift[c]): batch-norm that could not be folded. */
    public record Affine(Shape shape, float[] scale, float[] shift, Activation activation,
                         BufferRef in, BufferRef out) {}

    /**
     * Converts a 4-D tensor of logical {@code shape} between {@link ChannelLayout#NCHW} and
     * {@link ChannelLayout#BLOCKED} with {@code block} channels per block (to BLOCKED: the
     * padding channels are written as zeros).
     */
    public record Reorder(Shape shape, int block, ChannelLayout from, ChannelLayout to, BufferRef in, BufferRef out) {}

    /**
     * y = clamp(a + b), element-wise (an unfused skip connection). On blocked tensors
     * {@code shape} is their storage shape (channels padded to whole blocks), as for {@link Act}.
     */
    public record Add(Shape shape, Activation activation, BufferRef a, BufferRef b, BufferRef out) {}

    /** y = f(x) for any activation, element-wise. */
    public record Act(Shape shape, Activation activation, BufferRef in, BufferRef out) {}

    /** Softmax along {@code axis}. */
    public record Softmax(Shape shape, int axis, BufferRef in, BufferRef out) {}

    /** y = x (a plain copy, e.g. when the model's output is a view of its input). */
    public record Copy(Shape shape, BufferRef in, BufferRef out) {}

    /** y = a op b with broadcasting: {@code aShape} and {@code bShape} broadcast to {@code output}. */
    public record Binary(BinaryOp op, Shape aShape, Shape bShape, Shape output, BufferRef a, BufferRef b,
                         BufferRef out) {}

    /** Concatenation of {@code inputs} along {@code axis}. */
    public record Concat(List<Shape> inputs, int axis, Shape output, List<BufferRef> in, BufferRef out) {}

    /** Axis permutation: output axis k is input axis perm[k]. */
    public record Transpose(Shape input, int[] perm, Shape output, BufferRef in, BufferRef out) {}

    /** Constant padding (ONNX pads order: begins then ends; negative crops). */
    public record Pad(Shape input, int[] pads, float value, Shape output, BufferRef in, BufferRef out) {}

    /** Strided slice. */
    public record Slice(Shape input, SliceSpec spec, Shape output, BufferRef in, BufferRef out) {}

    /** Mean over axes. */
    public record ReduceMean(Shape input, int[] axes, boolean keepDims, Shape output, BufferRef in, BufferRef out) {}

    /** NumPy matmul of two planned tensors (a constant right operand becomes a {@link Linear} instead). */
    public record MatMul(Shape aShape, Shape bShape, Shape output, BufferRef a, BufferRef b, BufferRef out) {}

    /** Writes a constant (row-major {@code value}) into {@code out} on every run. */
    public record Constant(Shape shape, float[] value, BufferRef out) {}
    /**
     * Moves one of the model's slots between the host workspace and a backend's own memory (a
     * device): the input slot {@link Direction#TO_BACKEND} before the first kernel, the output
     * slot {@link Direction#TO_HOST} after the last. See {@link Backend#transfer(Transfer)}.
     */
    public record Transfer(Shape shape, BufferRef slot, Direction direction) {
        public enum Direction { TO_BACKEND, TO_HOST }
    }
}
