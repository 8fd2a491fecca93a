package dev.panamacnn.core.ops;

import dev.panamacnn.core.Shape;

/**
 * Geometry of a 2-D convolution: kernel size, stride, padding (top, left, bottom, right),
 * dilation and groups. Immutable; build with {@link #of(int)} and the {@code with}-style methods:
 * {@code Conv2dSpec.of(3).stride(2).padding(1)}.
 *
 * <p>Output size along an axis: {@code out = floor((in + padBefore + padAfter - d*(k-1) - 1) / s) + 1}.
 * Weights are {@code [outChannels, inChannels/groups, kernelH, kernelW]} (PyTorch/ONNX layout).
 */
public record Conv2dSpec(int kernelH, int kernelW, int strideH, int strideW,
                         int padTop, int padLeft, int padBottom, int padRight,
                         int dilationH, int dilationW, int groups) {

    public Conv2dSpec {
        positive("kernel height", kernelH);
        positive("kernel width", kernelW);
        positive("stride", strideH);
        positive("stride", strideW);
        nonNegative("padding", padTop);
        nonNegative("padding", padLeft);
        nonNegative("padding", padBottom);
        nonNegative("padding", padRight);
        positive("dilation", dilationH);
        positive("dilation", dilationW);
        positive("groups", groups);
    }

    /** A square k×k kernel, stride 1, no padding, no dilation, one group. */
    public static Conv2dSpec of(int kernel) {
        return of(kernel, kernel);
    }

    public static Conv2dSpec of(int kernelH, int kernelW) {
        return new Conv2dSpec(kernelH, kernelW, 1, 1, 0, 0, 0, 0, 1, 1, 1);
    }

    public Conv2dSpec stride(int s) {
        return stride(s, s);
    }

    public Conv2dSpec stride(int sh, int sw) {
        return new Conv2dSpec(kernelH, kernelW, sh, sw, padTop, padLeft, padBottom, padRight,
                dilationH, dilationW, groups);
    }

    /** Symmetric padding on all four sides. */
    public Conv2dSpec padding(int p) {
        return padding(p, p, p, p);
    }

    /** Asymmetric padding (ONNX {@code pads} order is top, left, bottom, right). */
    public Conv2dSpec padding(int top, int left, int bottom, int right) {
        return new Conv2dSpec(kernelH, kernelW, strideH, strideW, top, left, bottom, right,
                dilationH, dilationW, groups);
    }

    public Conv2dSpec dilation(int d) {
        return dilation(d, d);
    }

    public Conv2dSpec dilation(int dh, int dw) {
        return new Conv2dSpec(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom,
                padRight, dh, dw, groups);
    }

    public Conv2dSpec groups(int g) {
        return new Conv2dSpec(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom,
                padRight, dilationH, dilationW, g);
    }

    /** Output height for input height {@code h}; throws if the kernel does not fit. */
    public int outH(int h) {
        return outSize("height", h, padTop, padBottom, kernelH, dilationH, strideH);
    }

    /** Output width for input width {@code w}; throws if the kernel does not fit. */
    public int outW(int w) {
        return outSize("width", w, padLeft, padRight, kernelW, dilationW, strideW);
    }

    static int outSize(String axis, int in, int p0, int p1, int k, int d, int s) {
        long extent = (long) d * (k - 1) + 1;
        long padded = (long) in + p0 + p1;
        if (extent > padded) {
            throw new IllegalArgumentException("kernel " + axis + " " + k
                    + (d > 1 ? " (dilated extent " + extent + ")" : "")
                    + " is larger than the padded input " + axis + " " + padded
                    + " (input " + in + " + padding " + p0 + "+" + p1 + ")");
        }
        return (int) ((padded - extent) / s + 1);
    }

    /** Weight shape {@code [outChannels, inChannels/groups, kH, kW]}; checks divisibility by groups. */
    public Shape weightShape(int inChannels, int outChannels) {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " must divide input channels "
                    + inChannels + " and output channels " + outChannels);
        }
        return Shape.of(outChannels, inChannels / groups, kernelH, kernelW);
    }

    /** Output shape {@code [N, outChannels, outH, outW]} for input {@code [N, C, H, W]}. */
    public Shape outputShape(Shape input, int outChannels) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(
                    "conv2d input must be 4-D [N, C, H, W], got " + input);
        }
        weightShape(input.dim(1), outChannels);
        return Shape.of(input.dim(0), outChannels, outH(input.dim(2)), outW(input.dim(3)));
    }

    /** Multiply-adds per output element: (C/groups)·kH·kW. */
    public long macsPerOutput(int inChannels) {
        return (long) (inChannels / groups) * kernelH * kernelW;
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    private static void nonNegative(String what, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + v);
        }
    }
}
