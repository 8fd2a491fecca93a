package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.BufferRef;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Convolutions and dense layers. Everything but depthwise runs on the implicit-GEMM kernel of
 * {@code gemm.cl} (a dense layer is a 1×1 convolution over a 1×1 image); depthwise layers run on
 * the direct kernel of {@code conv.cl}.
 */
final class ConvKernels {
    private ConvKernels() {}

    static final String GEMM = "conv_gemm";

    /** Convolution geometry on NCHW; a dense layer is {@code c = features, h = w = oh = ow = k = 1}. */
    private record Geometry(int n, int c, int h, int w, int o, int oh, int ow, int kh, int kw,
                            int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int groups) {}

    static Kernel conv(OpenClBackend b, Ops.Conv op) {
        return gemm(b, geometry(op), op.weight(), op.bias(), op.activation(), op.in(), op.out(), op.residual());
    }

    static Kernel linear(OpenClBackend b, Ops.Linear op) {
        Shape in = op.input(), out = op.output();
        if (in.rank() != 2 || out.rank() != 2 || in.dim(0) != out.dim(0)) {
            throw new IllegalArgumentException("linear needs input [N, F] and output [N, O], got " + in + " and " + out);
        }
        Geometry g = new Geometry(in.dim(0), in.dim(1), 1, 1, out.dim(1), 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        checkParams("linear", op.weight(), (long) g.o * g.c, op.bias(), g.o);
        return gemm(b, g, op.weight(), op.bias(), op.activation(), op.in(), op.out(), null);
    }

    private static Geometry geometry(Ops.Conv op) {
        Shape in = op.input(), out = op.output();
        Conv2dSpec s = op.spec();
        if (out.rank() != 4) throw new IllegalArgumentException("conv output must be 4-D [N, O, OH, OW], got " + out);
        Shape expected = s.outputShape(in, out.dim(1));
        if (!expected.equals(out)) {
            throw new IllegalArgumentException("conv output shape expected " + expected + ", got " + out);
        }
        checkParams("conv", op.weight(), s.weightShape(in.dim(1), out.dim(1)).size(), op.bias(), out.dim(1));
        return new Geometry(in.dim(0), in.dim(1), in.dim(2), in.dim(3), out.dim(1), out.dim(2), out.dim(3),
                s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.padBottom(),
                s.padRight(), s.dilationH(), s.dilationW(), s.groups());
    }

    private static void checkParams(String op, float[] weight, long weights, float[] bias, int o) {
        if (weight.length != weights) {
            throw new IllegalArgumentException(op + " weight expected " + weights + " values, got " + weight.length);
        }
        if (bias.length != o) throw new IllegalArgumentException(op + " bias expected " + o + " values, got " + bias.length);
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    private static int ints(long v, String what) {
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " of " + v + " exceeds the kernels' 32-bit indexing");
        return (int) v;
    }

    private static Kernel gemm(OpenClBackend b, Geometry g, float[] weight, float[] bias, Activation act,
                               BufferRef in, BufferRef out, BufferRef residual) {
        int cg = g.c / g.groups, mg = g.o / g.groups, kk = g.kh * g.kw, k = cg * kk;
        int cols = ints((long) g.n * g.oh * g.ow, "output columns");
        GemmTiling t = b.tiling(mg, cols, g.groups);
        int kp = roundUp(k, t.tileK()), mp = roundUp(mg, t.tileM());
        int biasOff = ints((long) g.groups * kp * mp, "packed weights");
        ints((long) biasOff + g.o, "packed weights");

        // A panels: per group, k-major with m contiguous, zero-padded so tile loads need no bounds checks.
        float[] packed = new float[biasOff + g.o];
        for (int grp = 0; grp < g.groups; grp++) {
            for (int m = 0; m < mg; m++) {
                int src = (grp * mg + m) * k;
                for (int r = 0; r < k; r++) packed[(grp * kp + r) * mp + m] = weight[src + r];
            }
        }
        System.arraycopy(bias, 0, packed, biasOff, g.o);
        // The im2col row of each k: input channel offset and the tap's (dy, dx).
        int[] table = new int[4 * k];
        for (int r = 0; r < k; r++) {
            int ci = r / kk, p = (r % kk) / g.kw, q = r % g.kw;
            table[4 * r] = ci * g.h * g.w;
            table[4 * r + 1] = p * g.dh;
            table[4 * r + 2] = q * g.dw;
        }
        boolean pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1
                && g.pt == 0 && g.pl == 0 && g.pb == 0 && g.pr == 0;

        MemorySegment program = b.program("gemm.cl", t.header());
        MemorySegment wBuf = b.upload(packed), tBuf;
        try {
            tBuf = b.upload(table);
        } catch (RuntimeException e) {
            Cl.releaseMem(wBuf);
            throw e;
        }
        long[] global = {(long) roundUp(cols, t.tileN()) / t.tileN() * t.threadsN(),
                (long) mp / t.tileM() * t.threadsM(), g.groups};
        long[] local = {t.threadsN(), t.threadsM(), 1};
        int chw = ints((long) g.c * g.h * g.w, "input image");
        ClKernel.Args args = (l, ws) -> {
            l.arg(ws.buffer).arg(wBuf).arg(tBuf).offset(in.byteOffset()).offset(out.byteOffset())
                    .arg(residual == null ? -1 : (int) (residual.byteOffset() / Float.BYTES))
                    .arg(k).arg(kp).arg(mg).arg(mp).arg(g.o).arg(biasOff)
                    .arg(cols).arg(g.oh * g.ow).arg(g.ow)
                    .arg(chw).arg(cg * g.h * g.w).arg(g.h).arg(g.w)
                    .arg(g.sh).arg(g.sw).arg(g.pt).arg(g.pl)
                    .arg(pointwise ? 1 : 0);
            Act.args(l, act);
        };
        return new ClKernel(b.cl, program, GEMM, global, local, args, List.of(wBuf, tBuf));
    }

    /** Depthwise (groups = input channels, any channel multiplier): the direct kernel. */
    static Kernel depthwise(OpenClBackend b, Ops.Conv op) {
        Geometry g = geometry(op);
        int total = ints((long) g.n * g.o * g.oh * g.ow, "output");
        int biasOff = g.o * g.kh * g.kw;
        float[] params = new float[biasOff + g.o];
        System.arraycopy(op.weight(), 0, params, 0, biasOff);
        System.arraycopy(op.bias(), 0, params, biasOff, g.o);
        MemorySegment program = b.program("conv.cl", "");
        MemorySegment wBuf = b.upload(params);
        BufferRef residual = op.residual();
        long[][] grid = ClKernel.grid1d(total, b.local1d());
        ClKernel.Args args = (l, ws) -> {
            l.arg(ws.buffer).arg(wBuf).offset(op.in().byteOffset()).offset(op.out().byteOffset())
                    .arg(residual == null ? -1 : (int) (residual.byteOffset() / Float.BYTES)).arg(total)
                    .arg(g.c).arg(g.h).arg(g.w).arg(g.o).arg(g.oh).arg(g.ow)
                    .arg(g.kh).arg(g.kw).arg(g.sh).arg(g.sw).arg(g.pt).arg(g.pl).arg(g.dh).arg(g.dw)
                    .arg(biasOff);
            Act.args(l, op.activation());
        };
        return new ClKernel(b.cl, program, "conv_depthwise", grid[0], grid[1], args, List.of(wBuf));
    }
}
