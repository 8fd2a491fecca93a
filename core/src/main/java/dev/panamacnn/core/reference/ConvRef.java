package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference 2-D convolution (cross-correlation, as in PyTorch and ONNX), im2col and col2im.
 *
 * <pre>
 * y[n, o, i, j] = b[o] + Σ_{c ∈ group(o)} Σ_{p &lt; kH} Σ_{q &lt; kW}
 *                 w[o, c - g·C/G, p, q] · x[n, c, i·sH - padTop + p·dH, j·sW - padLeft + q·dW]
 * </pre>
 * where x is zero outside the input and group(o) = the C/G input channels of o's group.
 * Sums are accumulated in double: this is the oracle, not the fast path.
 */
public final class ConvRef {
    private ConvRef() {}

    /** Allocating form: returns a new {@code [N, O, OH, OW]} tensor in {@code arena}. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Arena arena) {
        Tensor out = Tensor.allocate(arena, outputShape(x, w, spec));
        conv2d(x, w, bias, spec, out);
        return out;
    }

    /** The output shape for input {@code x} and weight {@code w}; validates both. */
    public static Shape outputShape(Tensor x, Tensor w, Conv2dSpec spec) {
        Checks.rank("conv2d", "input", x, 4, "[N, C, H, W]");
        Checks.rank("conv2d", "weight", w, 4, "[O, C/groups, kH, kW]");
        int outC = w.dim(0);
        Shape expectedW = spec.weightShape(x.dim(1), outC);
        Checks.shape("conv2d", "weight", w, expectedW);
        return spec.outputShape(x.shape(), outC);
    }

    /** Writes the convolution of {@code x} into {@code out}; {@code bias} may be null. */
    public static void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Tensor out) {
        Shape os = outputShape(x, w, spec);
        Checks.shape("conv2d", "output", out, os);
        int outC = os.dim(1);
        if (bias != null) {
            Checks.shape("conv2d", "bias", bias, Shape.of(outC));
        }
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int oh = os.dim(2), ow = os.dim(3);
        int g = spec.groups(), cg = c / g, og = outC / g;
        MemorySegment xs = x.segment(), ws = w.segment(), ys = out.segment();
        MemorySegment bs = bias == null ? null : bias.segment();
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outC; o++) {
                int group = o / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bs == null ? 0 : bs.getAtIndex(FLOAT, o);
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = group * cg + ci;
                            for (int p = 0; p < spec.kernelH(); p++) {
                                int y = i * spec.strideH() - spec.padTop() + p * spec.dilationH();
                                if (y < 0 || y >= h) continue;
                                for (int q = 0; q < spec.kernelW(); q++) {
                                    int z = j * spec.strideW() - spec.padLeft() + q * spec.dilationW();
                                    if (z < 0 || z >= wd) continue;
                                    float xv = xs.getAtIndex(FLOAT, (((long) b * c + ch) * h + y) * wd + z);
                                    float wv = ws.getAtIndex(FLOAT,
                                            (((long) o * cg + ci) * spec.kernelH() + p) * spec.kernelW() + q);
                                    acc += (double) xv * wv;
                                }
                            }
                        }
                        ys.setAtIndex(FLOAT, (((long) b * outC + o) * oh + i) * ow + j, (float) acc);
                    }
                }
            }
        }
    }

    /**
     * im2col: unfolds every receptive field into a column, like PyTorch's {@code unfold}.
     * Returns {@code [N, C·kH·kW, OH·OW]}; row {@code (c·kH + p)·kW + q}, column {@code i·OW + j}
     * holds {@code x[n, c, i·sH - padTop + p·dH, j·sW - padLeft + q·dW]} (0 in the padding).
     * Groups do not affect the layout.
     */
    public static Tensor im2col(Tensor x, Conv2dSpec spec, Arena arena) {
        Checks.rank("im2col", "input", x, 4, "[N, C, H, W]");
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int oh = spec.outH(h), ow = spec.outW(wd);
        int kk = spec.kernelH() * spec.kernelW();
        Tensor cols = Tensor.allocate(arena, Shape.of(n, c * kk, oh * ow));
        MemorySegment xs = x.segment(), cs = cols.segment();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < spec.kernelH(); p++) {
                    for (int q = 0; q < spec.kernelW(); q++) {
                        long row = ((long) b * c * kk) + ((long) ch * spec.kernelH() + p) * spec.kernelW() + q;
                        for (int i = 0; i < oh; i++) {
                            int y = i * spec.strideH() - spec.padTop() + p * spec.dilationH();
                            for (int j = 0; j < ow; j++) {
                                int z = j * spec.strideW() - spec.padLeft() + q * spec.dilationW();
                                float v = (y < 0 || y >= h || z < 0 || z >= wd) ? 0f
                                        : xs.getAtIndex(FLOAT, (((long) b * c + ch) * h + y) * wd + z);
                                cs.setAtIndex(FLOAT, row * oh * ow + (long) i * ow + j, v);
                            }
                        }
                    }
                }
            }
        }
        return cols;
    }

    /**
     * col2im: the adjoint of {@link #im2col}, like PyTorch's {@code fold}: every column entry is
     * added back to the input position it was read from (overlaps sum; padding is dropped).
     * {@code cols} is {@code [N, C·kH·kW, OH·OW]}; returns {@code [N, C, H, W]}.
     */
    public static Tensor col2im(Tensor cols, int channels, int height, int width, Conv2dSpec spec,
                                Arena arena) {
        Checks.rank("col2im", "columns", cols, 3, "[N, C*kH*kW, OH*OW]");
        int n = cols.dim(0);
        int oh = spec.outH(height), ow = spec.outW(width);
        int kk = spec.kernelH() * spec.kernelW();
        Checks.shape("col2im", "columns", cols, Shape.of(n, channels * kk, oh * ow));
        Tensor x = Tensor.allocate(arena, Shape.of(n, channels, height, width));
        MemorySegment xs = x.segment(), cs = cols.segment();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < spec.kernelH(); p++) {
                    for (int q = 0; q < spec.kernelW(); q++) {
                        long row = ((long) b * channels * kk) + ((long) ch * spec.kernelH() + p) * spec.kernelW() + q;
                        for (int i = 0; i < oh; i++) {
                            int y = i * spec.strideH() - spec.padTop() + p * spec.dilationH();
                            if (y < 0 || y >= height) continue;
                            for (int j = 0; j < ow; j++) {
                                int z = j * spec.strideW() - spec.padLeft() + q * spec.dilationW();
                                if (z < 0 || z >= width) continue;
                                long xi = (((long) b * channels + ch) * height + y) * width + z;
                                xs.setAtIndex(FLOAT, xi, xs.getAtIndex(FLOAT, xi)
                                        + cs.getAtIndex(FLOAT, row * oh * ow + (long) i * ow + j));
                            }
                        }
                    }
                }
            }
        }
        return x;
    }
}
