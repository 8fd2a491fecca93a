package dev.panamacnn.core.ops;

import dev.panamacnn.core.Shape;

/**
 * Geometry of 2-D max/average pooling: kernel, stride (defaults to the kernel), padding
 * (top, left, bottom, right), ceil mode, and for average pooling whether padded positions
 * count in the divisor ({@code countIncludePad}). Semantics follow PyTorch's {@code MaxPool2d} /
 * {@code AvgPool2d}.
 *
 * <p>Output size: {@code out = floor_or_ceil((in + p0 + p1 - k) / s) + 1}; in ceil mode the last
 * window is dropped if it would start in the trailing padding.
 */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW,
                         int padTop, int padLeft, int padBottom, int padRight,
                         boolean ceilMode, boolean countIncludePad) {

    public Pool2dSpec {
        for (int v : new int[] {kernelH, kernelW}) {
            if (v < 1) throw new IllegalArgumentException("pool kernel must be >= 1, got " + v);
        }
        for (int v : new int[] {strideH, strideW}) {
            if (v < 1) throw new IllegalArgumentException("pool stride must be >= 1, got " + v);
        }
        for (int v : new int[] {padTop, padLeft, padBottom, padRight}) {
            if (v < 0) throw new IllegalArgumentException("pool padding must be >= 0, got " + v);
        }
        if (2 * Math.max(padTop, padBottom) > kernelH || 2 * Math.max(padLeft, padRight) > kernelW) {
            throw new IllegalArgumentException("pool padding (" + padTop + ", " + padLeft + ", "
                    + padBottom + ", " + padRight + ") must be at most half the kernel "
                    + kernelH + "x" + kernelW);
        }
    }

    /** k×k window, stride k, no padding, floor mode, padding counted (PyTorch defaults). */
    public static Pool2dSpec of(int kernel) {
        return new Pool2dSpec(kernel, kernel, kernel, kernel, 0, 0, 0, 0, false, true);
    }

    public static Pool2dSpec of(int kernelH, int kernelW) {
        return new Pool2dSpec(kernelH, kernelW, kernelH, kernelW, 0, 0, 0, 0, false, true);
    }

    public Pool2dSpec stride(int s) {
        return stride(s, s);
    }

    public Pool2dSpec stride(int sh, int sw) {
        return new Pool2dSpec(kernelH, kernelW, sh, sw, padTop, padLeft, padBottom, padRight,
                ceilMode, countIncludePad);
    }

    public Pool2dSpec padding(int p) {
        return padding(p, p, p, p);
    }

    public Pool2dSpec padding(int top, int left, int bottom, int right) {
        return new Pool2dSpec(kernelH, kernelW, strideH, strideW, top, left, bottom, right,
                ceilMode, countIncludePad);
    }

    public Pool2dSpec ceilMode(boolean ceil) {
        return new Pool2dSpec(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom,
                padRight, ceil, countIncludePad);
    }

    public Pool2dSpec countIncludePad(boolean include) {
        return new Pool2dSpec(kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom,
                padRight, ceilMode, include);
    }

    public int outH(int h) {
        return outSize("height", h, padTop, padBottom, kernelH, strideH);
    }

    public int outW(int w) {
        return outSize("width", w, padLeft, padRight, kernelW, strideW);
    }

    private int outSize(String axis, int in, int p0, int p1, int k, int s) {
        long padded = (long) in + p0 + p1;
        if (k > padded) {
            throw new IllegalArgumentException("pool kernel " + axis + " " + k
                    + " is larger than the padded input " + axis + " " + padded
                    + " (input " + in + " + padding " + p0 + "+" + p1 + ")");
        }
        long span = padded - k;
        long out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
        // Ceil mode: the last window must start inside the input or the leading padding.
        if (ceilMode && (out - 1) * s >= (long) in + p0) {
            out--;
        }
        return (int) out;
    }

    /** {@code [N, C, outH, outW]} for input {@code [N, C, H, W]}. */
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("pool2d input must be 4-D [N, C, H, W], got " + input);
        }
        return Shape.of(input.dim(0), input.dim(1), outH(input.dim(2)), outW(input.dim(3)));
    }
}
