package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Reference gradients of {@link PoolRef}; {@code dx} is overwritten.
 * <ul>
 *   <li>max: each output's gradient goes to the element that won its window — the first maximum
 *       in row-major window order, exactly the one the forward picked (PyTorch's rule);</li>
 *   <li>average: each output's gradient is spread over the in-bounds elements of its window,
 *       divided by the forward's divisor (so with {@code countIncludePad} the share of the
 *       padding is dropped);</li>
 *   <li>global average: {@code dy / (H·W)} to every element; global max: all of it to the first
 *       maximum of the plane.</li>
 * </ul>
 */
public final class PoolBackwardRef {
    private PoolBackwardRef() {}

    public static void maxPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        pool(x, spec, dy, dx, true);
    }

    /** {@code x} only gives the input shape. */
    public static void avgPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        pool(x, spec, dy, dx, false);
    }

    private static void pool(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx, boolean max) {
        String op = max ? "maxPool2dBackward" : "avgPool2dBackward";
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        Checks.shape(op, "output gradient", dy, spec.outputShape(x.shape()));
        Checks.shape(op, "input gradient", dx, x.shape());
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = dy.dim(2), ow = dy.dim(3);
        MemorySegment xs = x.segment(), dys = dy.segment(), dxs = dx.segment();
        double[] acc = new double[h * w];
        for (long plane = 0; plane < (long) n * c; plane++) {
            long xBase = plane * h * w, yBase = plane * oh * ow;
            java.util.Arrays.fill(acc, 0);
            for (int i = 0; i < oh; i++) {
                int y0 = i * spec.strideH() - spec.padTop();
                int y1 = Math.min(y0 + spec.kernelH(), h + spec.padBottom());
                int ya = Math.max(y0, 0), yb = Math.min(y1, h);
                for (int j = 0; j < ow; j++) {
                    int z0 = j * spec.strideW() - spec.padLeft();
                    int z1 = Math.min(z0 + spec.kernelW(), w + spec.padRight());
                    int za = Math.max(z0, 0), zb = Math.min(z1, w);
                    float d = dys.getAtIndex(FLOAT, yBase + (long) i * ow + j);
                    if (max) {
                        float m = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int y = ya; y < yb; y++) {
                            for (int z = za; z < zb; z++) {
                                float v = xs.getAtIndex(FLOAT, xBase + (long) y * w + z);
                                if (at < 0 || v > m || Float.isNaN(v) && !Float.isNaN(m)) {
                                    m = v;
                                    at = y * w + z;
                                }
                            }
                        }
                        if (at >= 0) acc[at] += d;
                    } else {
                        int divisor = spec.countIncludePad() ? (y1 - y0) * (z1 - z0) : (yb - ya) * (zb - za);
                        double share = (double) d / divisor;
                        for (int y = ya; y < yb; y++) {
                            for (int z = za; z < zb; z++) acc[y * w + z] += share;
                        }
                    }
                }
            }
            for (int k = 0; k < h * w; k++) dxs.setAtIndex(FLOAT, xBase + k, (float) acc[k]);
        }
    }

    public static void globalAvgPoolBackward(Tensor dy, Tensor dx) {
        global(null, dy, dx);
    }

    public static void globalMaxPoolBackward(Tensor x, Tensor dy, Tensor dx) {
        global(x, dy, dx);
    }

    private static void global(Tensor x, Tensor dy, Tensor dx) {
        String op = x == null ? "globalAvgPoolBackward" : "globalMaxPoolBackward";
        Checks.shape(op, "output gradient", dy, PoolRef.globalShape(dx, op));
        if (x != null) Checks.shape(op, "input", x, dx.shape());
        long hw = (long) dx.dim(2) * dx.dim(3);
        MemorySegment dys = dy.segment(), dxs = dx.segment();
        MemorySegment xs = x == null ? null : x.segment();
        for (long plane = 0; plane < (long) dx.dim(0) * dx.dim(1); plane++) {
            float d = dys.getAtIndex(FLOAT, plane);
            long base = plane * hw;
            if (xs == null) {
                float share = (float) ((double) d / hw);
                for (long k = 0; k < hw; k++) dxs.setAtIndex(FLOAT, base + k, share);
            } else {
                long at = 0;
                float m = xs.getAtIndex(FLOAT, base);
                for (long k = 1; k < hw; k++) {
                    float v = xs.getAtIndex(FLOAT, base + k);
                    if (v > m || Float.isNaN(v) && !Float.isNaN(m)) {
                        m = v;
                        at = k;
                    }
                }
                for (long k = 0; k < hw; k++) dxs.setAtIndex(FLOAT, base + k, k == at ? d : 0f);
            }
        }
    }
}
