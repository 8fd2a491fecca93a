package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;

/**
 * Stride-1 depthwise 2-D convolution (channel multiplier 1) computed from a zero-padded copy of
 * each plane, with a fused per-channel bias and clamp: any kernel size, padding and dilation.
 * Equals {@link dev.panamacnn.core.reference.ConvRef#conv2d} with {@code groups == channels}
 * followed by {@code min(max(y, lo), hi)}, within {@code Tolerance.forReduction(kH·kW + 1, |x|·|w|)}.
 *
 * <p><b>Why a padded copy.</b> Once a plane sits in a buffer with its halo zeroed, every tap
 * of every output is a plain load at a constant offset: no edge cases, no masks, no row
 * branches. The copy costs one load and store per input element against kH·kW FMAs per
 * output, and the buffer (one plane) stays in L1/L2.
 *
 * <p><b>Flat planes.</b> With the padded plane's row pitch P, output (i, j) is
 * {@code Σ w[p][q] · pad[(i·P + j) + p·dh·P + q·dw]}: a 1-D convolution over the flat index
 * i·P + j. Vectors therefore run along the whole plane, across row ends (the P − ow columns
 * per row that belong to no output are computed and dropped), so a 7×7 plane is 4 vectors
 * instead of 7 one-row vectors with 7 lanes used. They are written to an output scratch plane
 * of the same pitch, whose valid columns are then copied to the output rows.
 *
 * <p>3×3 kernels (MobileNet) take {@link DepthwisePadded3x3}, weights in registers; other
 * kernels loop over the taps, four output vectors at a time (four independent FMA chains hide
 * the FMA latency; a last group of fewer repeats its last vector: same values, same place).
 * Stride 2 is not handled here: the row-wise kernels of {@link DepthwiseConvKernels} measured
 * faster for it than a padded copy with de-interleaving permutes.
 * Every method takes and returns scalars only, so no vector crosses a call (see {@link Vec}).
 */
public final class DepthwisePadded {
    private DepthwisePadded() {}

    /** Whether the geometry is handled: stride 1 both ways (any kernel size, padding, dilation). */
    public static boolean applies(Conv2dSpec spec) {
        return spec.strideW() == 1 && spec.strideH() == 1;
    }

    /** The per-layer constants: pitch, tap offsets and the per-worker scratch size. */
    public static final class Geometry {
        final int h, w, oh, ow, pt, pl;
        final boolean threeByThree;
        /** Row pitch of the padded plane and of the output scratch, in floats. */
        final int pitch;
        /** Rows of the padded plane; how many of its rows and columns hold input. */
        final int paddedRows, copyRows, copyCols;
        /** Output vectors per (flat) plane. */
        final int vectors;
        /** Byte offset of each tap from an output vector's input base. */
        final int[] tapBytes;
        final long padFloats, outFloats;

        public Geometry(int h, int w, Conv2dSpec s) {
            if (!applies(s)) throw new IllegalArgumentException("stride must be 1, got " + s.strideH() + "x" + s.strideW());
            this.h = h;
            this.w = w;
            oh = s.outH(h);
            ow = s.outW(w);
            if (oh < 1 || ow < 1) throw new IllegalArgumentException("empty output " + oh + "x" + ow + " for " + h + "x" + w + " " + s);
            pt = s.padTop();
            pl = s.padLeft();
            int kh = s.kernelH(), kw = s.kernelW(), dh = s.dilationH(), dw = s.dilationW();
            threeByThree = kh == 3 && kw == 3 && dh == 1 && dw == 1;
            pitch = pl + w + s.padRight();
            paddedRows = oh + (kh - 1) * dh;
            copyRows = Math.max(0, Math.min(h, paddedRows - pt));
            copyCols = Math.max(0, Math.min(w, pitch - pl));
            vectors = (int) (((long) oh * pitch + L - 1) / L);
            tapBytes = new int[kh * kw];
            for (int p = 0; p < kh; p++) {
                for (int q = 0; q < kw; q++) tapBytes[p * kw + q] = 4 * (p * dh * pitch + q * dw);
            }
            // The last vector reads from its base + the furthest tap, one vector long.
            long reach = (long) vectors * L + tapBytes[tapBytes.length - 1] / 4;
            padFloats = (Math.max((long) paddedRows * pitch, reach) + L - 1) / L * L;
            outFloats = (long) vectors * L + L; // + one vector: the last row's tail is read whole
            if (padFloats + outFloats > Integer.MAX_VALUE) throw new IllegalArgumentException("plane too large: " + h + "x" + w);
        }

        /** Scratch bytes one worker needs: the padded plane, then the output plane. */
        public long scratchBytes() {
            return (padFloats + outFloats) * 4;
        }
    }

    /**
     * Computes planes {@code [from, to)} (plane p = n·channels + c) of the NCHW input at element
     * {@code xOff} of {@code x} into the output at {@code yOff} of {@code y}; weights
     * {@code [channels, kH·kW]} at element 0 of {@code w}, bias {@code [channels]} at 0 of
     * {@code bias}. {@code scratch} from byte {@code scratchOff} holds {@link Geometry#scratchBytes}.
     */
    public static void run(MemorySegment x, long xOff, MemorySegment w, MemorySegment bias, MemorySegment y,
                           long yOff, int channels, Geometry g, float lo, float hi, int from, int to,
                           MemorySegment scratch, long scratchOff) {
        int taps = g.tapBytes.length;
        long inPlane = (long) g.h * g.w, outPlane = (long) g.oh * g.ow;
        check(x, xOff + to * inPlane, "input");
        check(y, yOff + to * outPlane, "output");
        check(w, (long) channels * taps, "weight");
        check(bias, channels, "bias");
        check(scratch, scratchOff / 4 + g.padFloats + g.outFloats, "scratch");
        long pad = scratchOff, out = scratchOff + g.padFloats * 4;
        // The halo and slack: the copies below never touch them. (A slice's fill would allocate the slice.)
        for (long i = 0; i < g.padFloats; i += L) FloatVector.zero(F).intoMemorySegment(scratch, pad + 4 * i, ORDER);
        for (int p = from; p < to; p++) {
            int c = p % channels;
            copyIn(x, (xOff + p * inPlane) * 4, g, scratch, pad);
            float b = bias.getAtIndex(JAVA_FLOAT, c);
            long wc = (long) c * taps * 4;
            if (g.threeByThree) {
                DepthwisePadded3x3.flat(scratch, pad, 4L * g.pitch, g.vectors, w, wc, b, lo, hi, scratch, out);
            } else {
                anyKernel(scratch, pad, out, g, w, wc, b, lo, hi);
            }
            copyOut(scratch, out, g, y, (yOff + p * outPlane) * 4);
        }
    }

    /** Any kernel size and dilation: the taps in a loop, four output vectors at a time. */
    private static void anyKernel(MemorySegment scratch, long pad, long out, Geometry g, MemorySegment w, long wc,
                                  float b, float lo, float hi) {
        for (int v = 0; v < g.vectors; v += 4) {
            long v1 = Math.min(v + 1, g.vectors - 1), v2 = Math.min(v + 2, g.vectors - 1), v3 = Math.min(v + 3, g.vectors - 1);
            long vb = 4L * L;
            block(scratch, pad + vb * v, pad + vb * v1, pad + vb * v2, pad + vb * v3, g.tapBytes, w, wc, b, lo, hi,
                    out + vb * v, out + vb * v1, out + vb * v2, out + vb * v3);
        }
    }

    /** Four output vectors: one plain load per tap each. */
    private static void block(MemorySegment s, long a0, long a1, long a2, long a3, int[] tapBytes,
                              MemorySegment w, long wc, float b, float lo, float hi, long d0, long d1, long d2, long d3) {
        FloatVector c0 = FloatVector.broadcast(F, b), c1 = c0, c2 = c0, c3 = c0;
        for (int t = 0; t < tapBytes.length; t++) {
            FloatVector wt = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 4L * t));
            int o = tapBytes[t];
            c0 = FloatVector.fromMemorySegment(F, s, a0 + o, ORDER).fma(wt, c0);
            c1 = FloatVector.fromMemorySegment(F, s, a1 + o, ORDER).fma(wt, c1);
            c2 = FloatVector.fromMemorySegment(F, s, a2 + o, ORDER).fma(wt, c2);
            c3 = FloatVector.fromMemorySegment(F, s, a3 + o, ORDER).fma(wt, c3);
        }
        c0 = c0.blend(lo, c0.compare(VectorOperators.LE, lo)); // clamp by blends (see Vec)
        c0.blend(hi, c0.compare(VectorOperators.GE, hi)).intoMemorySegment(s, d0, ORDER);
        c1 = c1.blend(lo, c1.compare(VectorOperators.LE, lo));
        c1.blend(hi, c1.compare(VectorOperators.GE, hi)).intoMemorySegment(s, d1, ORDER);
        c2 = c2.blend(lo, c2.compare(VectorOperators.LE, lo));
        c2.blend(hi, c2.compare(VectorOperators.GE, hi)).intoMemorySegment(s, d2, ORDER);
        c3 = c3.blend(lo, c3.compare(VectorOperators.LE, lo));
        c3.blend(hi, c3.compare(VectorOperators.GE, hi)).intoMemorySegment(s, d3, ORDER);
    }

    /** Copies the input rows the convolution reads into the padded plane, inside its zero halo. */
    private static void copyIn(MemorySegment x, long src, Geometry g, MemorySegment pad, long padOff) {
        int cols = g.copyCols, full = cols / L * L;
        VectorMask<Float> tail = IOTA.compare(LT, cols - full);
        long dst = padOff + 4L * ((long) g.pt * g.pitch + g.pl);
        for (int r = 0; r < g.copyRows; r++) {
            long s = src + 4L * r * g.w, d = dst + 4L * r * g.pitch;
            for (int j = 0; j < full; j += L) {
                FloatVector.fromMemorySegment(F, x, s + 4L * j, ORDER).intoMemorySegment(pad, d + 4L * j, ORDER);
            }
            if (full == cols) continue;
            if (fits(x, s + 4L * full)) { // lanes past the row are read (inside the segment) and not stored
                FloatVector.fromMemorySegment(F, x, s + 4L * full, ORDER).intoMemorySegment(pad, d + 4L * full, ORDER, tail);
            } else {
                for (int j = full; j < cols; j++) pad.set(JAVA_FLOAT, d + 4L * j, x.get(JAVA_FLOAT, s + 4L * j));
            }
        }
    }

    /** Copies the valid columns of each output row from the output scratch to the output plane. */
    private static void copyOut(MemorySegment out, long outOff, Geometry g, MemorySegment y, long dst) {
        int full = g.ow / L * L;
        VectorMask<Float> tail = IOTA.compare(LT, g.ow - full);
        for (int i = 0; i < g.oh; i++) {
            long s = outOff + 4L * i * g.pitch, d = dst + 4L * i * g.ow;
            for (int j = 0; j < full; j += L) {
                FloatVector.fromMemorySegment(F, out, s + 4L * j, ORDER).intoMemorySegment(y, d + 4L * j, ORDER);
            }
            if (full == g.ow) continue;
            if (fits(y, d + 4L * full)) {
                FloatVector.fromMemorySegment(F, out, s + 4L * full, ORDER).intoMemorySegment(y, d + 4L * full, ORDER, tail);
            } else {
                for (int j = full; j < g.ow; j++) y.set(JAVA_FLOAT, d + 4L * j, out.get(JAVA_FLOAT, s + 4L * j));
            }
        }
    }

    private static void check(MemorySegment s, long elements, String what) {
        if (s.byteSize() < elements * 4) {
            throw new IndexOutOfBoundsException(what + " needs " + elements + " floats, segment holds " + s.byteSize() / 4);
        }
    }
}
