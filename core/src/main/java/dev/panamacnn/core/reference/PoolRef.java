package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference pooling. No trainable parameters.
 *
 * <ul>
 *   <li>max: {@code y = max} over the window's in-bounds elements (padding never wins);</li>
 *   <li>average: window sum / divisor, where the divisor is the window area clipped to the padded
 *       input when {@code countIncludePad}, else the number of in-bounds elements;</li>
 *   <li>global average / max: one value per (n, c) over all H×W, output {@code [N, C, 1, 1]}.</li>
 * </ul>
 */
public final class PoolRef {
    private PoolRef() {}

    public static Tensor maxPool2d(Tensor x, Pool2dSpec spec, Arena arena) {
        Tensor out = Tensor.allocate(arena, spec.outputShape(x.shape()));
        maxPool2d(x, spec, out);
        return out;
    }

    public static Tensor avgPool2d(Tensor x, Pool2dSpec spec, Arena arena) {
        Tensor out = Tensor.allocate(arena, spec.outputShape(x.shape()));
        avgPool2d(x, spec, out);
        return out;
    }

    public static void maxPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        pool(x, spec, out, true);
    }

    public static void avgPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        pool(x, spec, out, false);
    }

    private static void pool(Tensor x, Pool2dSpec spec, Tensor out, boolean max) {
        String op = max ? "maxPool2d" : "avgPool2d";
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        Checks.shape(op, "output", out, spec.outputShape(x.shape()));
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = out.dim(2), ow = out.dim(3);
        MemorySegment xs = x.segment(), ys = out.segment();
        for (long plane = 0; plane < (long) n * c; plane++) {
            long xBase = plane * h * w, yBase = plane * oh * ow;
            for (int i = 0; i < oh; i++) {
                int y0 = i * spec.strideH() - spec.padTop();
                // Window rows clipped to the padded input, then to the real input.
                int y1 = Math.min(y0 + spec.kernelH(), h + spec.padBottom());
                int ya = Math.max(y0, 0), yb = Math.min(y1, h);
                for (int j = 0; j < ow; j++) {
                    int z0 = j * spec.strideW() - spec.padLeft();
                    int z1 = Math.min(z0 + spec.kernelW(), w + spec.padRight());
                    int za = Math.max(z0, 0), zb = Math.min(z1, w);
                    float result;
                    if (max) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int y = ya; y < yb; y++) {
                            for (int z = za; z < zb; z++) {
                                float v = xs.getAtIndex(FLOAT, xBase + (long) y * w + z);
                                // NaN propagates, as in PyTorch.
                                if (v > m || Float.isNaN(v)) m = v;
                            }
                        }
                        result = m;
                    } else {
                        double sum = 0;
                        for (int y = ya; y < yb; y++) {
                            for (int z = za; z < zb; z++) {
                                sum += xs.getAtIndex(FLOAT, xBase + (long) y * w + z);
                            }
                        }
                        int divisor = spec.countIncludePad() ? (y1 - y0) * (z1 - z0)
                                : (yb - ya) * (zb - za);
                        result = (float) (sum / divisor);
                    }
                    ys.setAtIndex(FLOAT, yBase + (long) i * ow + j, result);
                }
            }
        }
    }

    public static Tensor globalAvgPool(Tensor x, Arena arena) {
        Tensor out = Tensor.allocate(arena, globalShape(x, "globalAvgPool"));
        globalPool(x, out, false);
        return out;
    }

    public static Tensor globalMaxPool(Tensor x, Arena arena) {
        Tensor out = Tensor.allocate(arena, globalShape(x, "globalMaxPool"));
        globalPool(x, out, true);
        return out;
    }

    public static void globalAvgPool(Tensor x, Tensor out) {
        Checks.shape("globalAvgPool", "output", out, globalShape(x, "globalAvgPool"));
        globalPool(x, out, false);
    }

    public static void globalMaxPool(Tensor x, Tensor out) {
        Checks.shape("globalMaxPool", "output", out, globalShape(x, "globalMaxPool"));
        globalPool(x, out, true);
    }

    /** {@code [N, C, 1, 1]} for {@code [N, C, H, W]}. */
    public static Shape globalShape(Tensor x, String op) {
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        if (x.dim(2) == 0 || x.dim(3) == 0) {
            throw new IllegalArgumentException(op + ": empty spatial extent " + x.shape());
        }
        return Shape.of(x.dim(0), x.dim(1), 1, 1);
    }

    private static void globalPool(Tensor x, Tensor out, boolean max) {
        long hw = (long) x.dim(2) * x.dim(3);
        MemorySegment xs = x.segment(), ys = out.segment();
        for (long plane = 0; plane < (long) x.dim(0) * x.dim(1); plane++) {
            double sum = 0;
            float m = Float.NEGATIVE_INFINITY;
            for (long k = 0; k < hw; k++) {
                float v = xs.getAtIndex(FLOAT, plane * hw + k);
                sum += v;
                if (v > m || Float.isNaN(v)) m = v;
            }
            ys.setAtIndex(FLOAT, plane, max ? m : (float) (sum / hw));
        }
    }
}
