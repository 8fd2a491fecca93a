package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Reference gradients of {@link ConvRef#conv2d} (any stride, padding, dilation, groups), given
 * the upstream gradient {@code dy = ∂L/∂y [N, O, OH, OW]}:
 *
 * <pre>
 * ∂L/∂w[o, ci, p, q] = Σ_{n, i, j} dy[n, o, i, j] · x[n, g·C/G + ci, i·sH − padTop + p·dH, j·sW − padLeft + q·dW]
 * ∂L/∂b[o]           = Σ_{n, i, j} dy[n, o, i, j]
 * ∂L/∂x[n, c, y, z]  = Σ over every (o, i, j, p, q) whose tap reads x[n, c, y, z] of dy[n, o, i, j] · w[o, ci, p, q]
 * </pre>
 * Sums in double. Parameter gradients are added to {@code dw}/{@code db} (they accumulate over a
 * step); {@code dx} is overwritten. {@code dx} and {@code db} may be null.
 */
public final class ConvBackwardRef {
    private ConvBackwardRef() {}

    public static void backward(Tensor x, Tensor w, Conv2dSpec spec, Tensor dy, Tensor dx, Tensor dw,
                                Tensor db) {
        Shape ys = ConvRef.outputShape(x, w, spec);
        Checks.shape("conv2dBackward", "output gradient", dy, ys);
        Checks.shape("conv2dBackward", "weight gradient", dw, w.shape());
        if (dx != null) Checks.shape("conv2dBackward", "input gradient", dx, x.shape());
        if (db != null) Checks.shape("conv2dBackward", "bias gradient", db, Shape.of(w.dim(0)));
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int outC = ys.dim(1), oh = ys.dim(2), ow = ys.dim(3);
        int kh = spec.kernelH(), kw = spec.kernelW();
        int g = spec.groups(), cg = c / g, og = outC / g;
        MemorySegment xs = x.segment(), wsg = w.segment(), dys = dy.segment(), dws = dw.segment();
        double[] dxAcc = dx == null ? null : new double[Math.toIntExact(x.size())];
        for (int o = 0; o < outC; o++) {
            int group = o / og;
            double bsum = 0;
            double[] wAcc = new double[cg * kh * kw];
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double d = dys.getAtIndex(FLOAT, (((long) b * outC + o) * oh + i) * ow + j);
                        bsum += d;
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = group * cg + ci;
                            for (int p = 0; p < kh; p++) {
                                int y = i * spec.strideH() - spec.padTop() + p * spec.dilationH();
                                if (y < 0 || y >= h) continue;
                                for (int q = 0; q < kw; q++) {
                                    int z = j * spec.strideW() - spec.padLeft() + q * spec.dilationW();
                                    if (z < 0 || z >= wd) continue;
                                    int wi = (ci * kh + p) * kw + q;
                                    int xi = ((b * c + ch) * h + y) * wd + z;
                                    wAcc[wi] += d * xs.getAtIndex(FLOAT, xi);
                                    if (dxAcc != null) {
                                        dxAcc[xi] += d * wsg.getAtIndex(FLOAT, (long) o * cg * kh * kw + wi);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (int wi = 0; wi < wAcc.length; wi++) {
                long at = (long) o * wAcc.length + wi;
                dws.setAtIndex(FLOAT, at, (float) (dws.getAtIndex(FLOAT, at) + wAcc[wi]));
            }
            if (db != null) db.setFlat(o, (float) (db.getFlat(o) + bsum));
        }
        if (dx != null) {
            MemorySegment dxs = dx.segment();
            for (int i = 0; i < dxAcc.length; i++) dxs.setAtIndex(FLOAT, i, (float) dxAcc[i]);
        }
    }
}
