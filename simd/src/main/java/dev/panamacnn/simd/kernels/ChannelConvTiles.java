package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Register tiles of the channel convolution ({@code dev.panamacnn.simd.ChannelConv}): vectors
 * run along L output channels, inputs are broadcast from an image's (padded) planes. Output
 * pixel p reads tap t at plane element {@code image + base[p] + off[t]}. Weights are transposed,
 * {@code wt[t·co + channel]}, and so are dY and the results: pixel-major rows of L channels.
 *
 * <p>Unrolled by hand: a loop over an array of vectors would box them. An edge tile repeats its
 * last pixel or tap, which computes and stores the same values again.
 */
public final class ChannelConvTiles {
    private static final int L = Vec.L;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ChannelConvTiles() {}

    private static FloatVector x(MemorySegment planes, long at) {
        return FloatVector.broadcast(Vec.F, planes.getAtIndex(F, at));
    }

    /**
     * Eight output pixels {@code q0..q7} (plane bases {@code b0..b7}) × L output channels from
     * {@code wt}'s column {@code cb}: {@code pixelMajor[q_i·L + lane] = Σ_t wt[t·co + cb + lane] ·
     * planes[image + b_i + off[t]]}. 8 accumulators, 9 loads per 8 FMAs.
     */
    public static void forward8(MemorySegment planes, long image, int b0, int b1, int b2, int b3, int b4, int b5,
                                int b6, int b7, int[] off, int taps, float[] wt, int co, int cb, float[] pixelMajor,
                                int q0, int q1, int q2, int q3, int q4, int q5, int q6, int q7) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0; t < taps; t++) {
            FloatVector w = FloatVector.fromArray(Vec.F, wt, t * co + cb);
            long o = image + off[t];
            a0 = x(planes, o + b0).fma(w, a0);
            a1 = x(planes, o + b1).fma(w, a1);
            a2 = x(planes, o + b2).fma(w, a2);
            a3 = x(planes, o + b3).fma(w, a3);
            a4 = x(planes, o + b4).fma(w, a4);
            a5 = x(planes, o + b5).fma(w, a5);
            a6 = x(planes, o + b6).fma(w, a6);
            a7 = x(planes, o + b7).fma(w, a7);
        }
        a0.intoArray(pixelMajor, q0 * L);
        a1.intoArray(pixelMajor, q1 * L);
        a2.intoArray(pixelMajor, q2 * L);
        a3.intoArray(pixelMajor, q3 * L);
        a4.intoArray(pixelMajor, q4 * L);
        a5.intoArray(pixelMajor, q5 * L);
        a6.intoArray(pixelMajor, q6 * L);
        a7.intoArray(pixelMajor, q7 * L);
    }

    /**
     * Weight gradient of ten taps (plane offsets {@code o0..o9}) × L output channels over the
     * pixels [0, pixels): {@code acc[t_j·co + cb + lane] += Σ_p dyt[p·L + lane] · planes[image + base[p] + o_j]}.
     * 10 accumulators, 11 loads per 10 FMAs.
     */
    public static void weightGrad10(MemorySegment planes, long image, int[] base, int pixels, float[] dyt,
                                    int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, int o8, int o9,
                                    float[] acc, int co, int cb, int t0, int t1, int t2, int t3, int t4, int t5, int t6,
                                    int t7, int t8, int t9) {
        FloatVector s0 = FloatVector.zero(Vec.F), s1 = s0, s2 = s0, s3 = s0, s4 = s0;
        FloatVector s5 = s0, s6 = s0, s7 = s0, s8 = s0, s9 = s0;
        for (int p = 0; p < pixels; p++) {
            FloatVector g = FloatVector.fromArray(Vec.F, dyt, p * L);
            long b = image + base[p];
            s0 = x(planes, b + o0).fma(g, s0);
            s1 = x(planes, b + o1).fma(g, s1);
            s2 = x(planes, b + o2).fma(g, s2);
            s3 = x(planes, b + o3).fma(g, s3);
            s4 = x(planes, b + o4).fma(g, s4);
            s5 = x(planes, b + o5).fma(g, s5);
            s6 = x(planes, b + o6).fma(g, s6);
            s7 = x(planes, b + o7).fma(g, s7);
            s8 = x(planes, b + o8).fma(g, s8);
            s9 = x(planes, b + o9).fma(g, s9);
        }
        // Read every sum before writing any: a repeated tap stores the same total twice.
        s0 = s0.add(FloatVector.fromArray(Vec.F, acc, t0 * co + cb));
        s1 = s1.add(FloatVector.fromArray(Vec.F, acc, t1 * co + cb));
        s2 = s2.add(FloatVector.fromArray(Vec.F, acc, t2 * co + cb));
        s3 = s3.add(FloatVector.fromArray(Vec.F, acc, t3 * co + cb));
        s4 = s4.add(FloatVector.fromArray(Vec.F, acc, t4 * co + cb));
        s5 = s5.add(FloatVector.fromArray(Vec.F, acc, t5 * co + cb));
        s6 = s6.add(FloatVector.fromArray(Vec.F, acc, t6 * co + cb));
        s7 = s7.add(FloatVector.fromArray(Vec.F, acc, t7 * co + cb));
        s8 = s8.add(FloatVector.fromArray(Vec.F, acc, t8 * co + cb));
        s9 = s9.add(FloatVector.fromArray(Vec.F, acc, t9 * co + cb));
        s0.intoArray(acc, t0 * co + cb);
        s1.intoArray(acc, t1 * co + cb);
        s2.intoArray(acc, t2 * co + cb);
        s3.intoArray(acc, t3 * co + cb);
        s4.intoArray(acc, t4 * co + cb);
        s5.intoArray(acc, t5 * co + cb);
        s6.intoArray(acc, t6 * co + cb);
        s7.intoArray(acc, t7 * co + cb);
        s8.intoArray(acc, t8 * co + cb);
        s9.intoArray(acc, t9 * co + cb);
    }
}
