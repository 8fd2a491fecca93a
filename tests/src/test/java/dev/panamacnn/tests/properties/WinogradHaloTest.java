package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.BufferRef;
import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Constructor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simd backend's kernel for a blocked 3×3 stride-1 convolution (Winograd F(2×2, 3×3)) run
 * alone on a workspace whose every byte outside the input is NaN: each run must write every
 * output pixel and every pixel of the output's halo (as 0), and must read nothing but the input,
 * its halo and the residual. Input halos 1 and 2, output halos 0 to 2, with and without a
 * residual, batch 2, 1 to 3 threads, two runs each.
 */
class WinogradHaloTest {
    private static final int N = 2, C = 32, O = 32, H = 28, W = 14;

    /** Index of (image, channel, y, x) in a blocked tensor whose planes have a halo {@code halo} wide. */
    private static long at(int image, int ch, int y, int x, int channels, int halo) {
        int hp = H + 2 * halo, wp = W + 2 * halo;
        return ((((long) image * (channels / 16) + ch / 16) * hp + y + halo) * wp + x + halo) * 16 + ch % 16;
    }

    @Test
    void everyRunWritesTheOutputAndItsHaloAndReadsNothingElse() throws Exception {
        // ExecutionContext is built by CompiledModel only; this test needs one around a single kernel.
        Constructor<ExecutionContext> context = ExecutionContext.class.getDeclaredConstructor(long.class, long.class, WorkerPool.class);
        context.setAccessible(true);
        for (int inHalo = 1; inHalo <= 2; inHalo++) {
            for (int outHalo = 0; outHalo <= 2; outHalo++) {
                for (boolean residual : new boolean[] {false, true}) {
                    for (int threads = 1; threads <= 3; threads++) check(context, inHalo, outHalo, residual, threads);
                }
            }
        }
    }

    private static void check(Constructor<ExecutionContext> context, int inHalo, int outHalo, boolean residual, int threads)
            throws Exception {
        Random random = new Random(100L * inHalo + 10L * outHalo + (residual ? 1 : 0));
        float[] weight = new float[O * C * 9], bias = new float[O], x = new float[N * C * H * W], r = new float[N * O * H * W];
        for (int i = 0; i < weight.length; i++) weight[i] = (float) random.nextGaussian() * 0.2f;
        for (int i = 0; i < bias.length; i++) bias[i] = (float) random.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        for (int i = 0; i < r.length; i++) r[i] = (float) random.nextGaussian();
        double[] expected = reference(weight, bias, x, residual ? r : null);

        long inFloats = (long) N * C * (H + 2 * inHalo) * (W + 2 * inHalo), outFloats = (long) N * O * (H + 2 * outHalo) * (W + 2 * outHalo);
        BufferRef in = new BufferRef(0), res = new BufferRef(inFloats * 4), out = new BufferRef((inFloats + outFloats) * 4);
        Ops.Conv op = new Ops.Conv(Shape.of(N, C, H, W), Shape.of(N, O, H, W), Conv2dSpec.of(3).padding(1), weight, bias,
                Activation.IDENTITY, in, out, residual ? res : null, ChannelLayout.BLOCKED, ChannelLayout.BLOCKED, inHalo, outHalo);
        String where = "input halo " + inHalo + ", output halo " + outHalo + ", residual " + residual + ", threads " + threads;
        Kernel kernel = SimdBackends.fastest().conv(op);
        assertEquals("WinogradConvKernel", kernel.getClass().getSimpleName(), where);
        try (WorkerPool pool = WorkerPool.create(threads);
             ExecutionContext ctx = context.newInstance((inFloats + 2 * outFloats) * 4, kernel.scratchBytesPerThread(), pool)) {
            MemorySegment ws = ctx.workspace();
            Runnable run = kernel.bind(ctx);
            Tolerance tolerance = Tolerance.forReduction(9L * C + 1, 1.0);
            for (int pass = 0; pass < 2; pass++) {
                ws.fill((byte) 0xff); // NaN everywhere
                for (long i = 0; i < inFloats; i++) ws.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0f); // the input's halo
                for (int b = 0; b < N; b++) {
                    for (int c = 0; c < Math.max(C, O); c++) {
                        for (int y = 0; y < H; y++) {
                            for (int xx = 0; xx < W; xx++) {
                                if (c < C) ws.setAtIndex(ValueLayout.JAVA_FLOAT, at(b, c, y, xx, C, inHalo), x[((b * C + c) * H + y) * W + xx]);
                                if (c < O) {
                                    ws.setAtIndex(ValueLayout.JAVA_FLOAT, inFloats + at(b, c, y, xx, O, outHalo), r[((b * O + c) * H + y) * W + xx]);
                                }
                            }
                        }
                    }
                }
                run.run();
                for (int b = 0; b < N; b++) {
                    for (int c = 0; c < O; c++) {
                        for (int y = -outHalo; y < H + outHalo; y++) {
                            for (int xx = -outHalo; xx < W + outHalo; xx++) {
                                float got = ws.getAtIndex(ValueLayout.JAVA_FLOAT, inFloats + outFloats + at(b, c, y, xx, O, outHalo));
                                boolean border = y < 0 || y >= H || xx < 0 || xx >= W;
                                double want = border ? 0 : expected[((b * O + c) * H + y) * W + xx];
                                Props.assertScalarClose(where + ", pass " + pass + ", output (" + b + ", " + c + ", " + y + ", " + xx + ")",
                                        want, got, border ? Tolerance.EXACT : tolerance);
                            }
                        }
                    }
                }
            }
        } finally {
            kernel.close();
        }
    }

    /** The convolution (padding 1) plus bias and residual, in double. */
    private static double[] reference(float[] weight, float[] bias, float[] x, float[] residual) {
        double[] y = new double[N * O * H * W];
        for (int b = 0; b < N; b++) {
            for (int o = 0; o < O; o++) {
                for (int oy = 0; oy < H; oy++) {
                    for (int ox = 0; ox < W; ox++) {
                        int i = ((b * O + o) * H + oy) * W + ox;
                        double sum = bias[o] + (residual == null ? 0 : residual[i]);
                        for (int c = 0; c < C; c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy + ky - 1, ix = ox + kx - 1;
                                    if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                    sum += (double) weight[((o * C + c) * 3 + ky) * 3 + kx] * x[((b * C + c) * H + iy) * W + ix];
                                }
                            }
                        }
                        y[i] = sum;
                    }
                }
            }
        }
        return y;
    }
}
