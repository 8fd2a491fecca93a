package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.EVEN;
import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ODD;
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
 * Depthwise 2-D convolution (channel multiplier 1) with strides 1 or 2 (each direction), any
 * kernel size, padding and dilation, computed from zero-padded "phase planes" of each input
 * plane, with a fused per-channel bias and clamp. Equals
 * {@link dev.panamacnn.core.reference.ConvRef#conv2d} with {@code groups == channels} followed
 * by {@code min(max(y, lo), hi)}, within {@code Tolerance.forReduction(kH·kW + 1, |x|·|w|)}.
 *
 * <p><b>Why padded copies.</b> Once a plane sits in a buffer with its halo zeroed, every tap
 * of every output is a plain load at a constant offset: no edge cases, no masks, no row
 * branches. The copy costs one load and store per input element against kH·kW FMAs per
 * output, and the buffer (one plane) stays in L1/L2.
 *
 * <p><b>Phase planes.</b> With strides sh × sw the padded plane is split into sh·sw planes by
 * (row mod sh, column mod sw) — for stride 2 the copy de-interleaves each row with one
 * permute per 16 outputs. Output (i, j)'s tap (p, q) reads padded (sh·i + p·dh, sw·j + q·dw),
 * which is phase plane ((p·dh) mod sh, (q·dw) mod sw) at (i + p·dh div sh, j + q·dw div sw).
 * With the phase planes' row pitch P, that is {@code plane[(i·P + j) + constant]}: a 1-D
 * convolution over the flat index i·P + j, for either stride. Vectors therefore run along
 * the whole plane, across row ends (the P − ow columns per row that belong to no output are
 * computed and dropped), so a 7×7 output is 4 vectors, not 7 one-row vectors with 7 lanes
 * used. They go to an output scratch plane of pitch P, whose valid columns are then copied to
 * the output rows.
 *
 * <p>3×3 kernels (MobileNet) take {@link DepthwisePadded3x3}, weights in registers; other
 * kernels loop over the taps, four output vectors at a time (four independent FMA chains hide
 * the FMA latency; a last group of fewer repeats its last vector: same values, same place).
 * Every method takes and returns scalars only, so no vector crosses a call (see {@link Vec}).
 */
public final class DepthwisePadded {
    private DepthwisePadded() {}

    /** Whether the geometry is handled: strides 1 or 2 in each direction (any kernel, padding, dilation). */
    public static boolean applies(Conv2dSpec spec) {
        return (spec.strideH() == 1 || spec.strideH() == 2) && (spec.strideW() == 1 || spec.strideW() == 2);
    }

    /** The per-layer constants: phase-plane pitch and size, tap offsets, the per-worker scratch size. */
    public static final class Geometry {
        final int h, w, oh, ow, sh, sw, pt, pl;
        final boolean threeByThree;
        /** Row pitch of each phase plane and of the output scratch, in floats. */
        final int pitch;
        /** Floats per phase plane (the planes lie one after another). */
        final long planeFloats;
        /** Input rows that the convolution reads (a prefix of the plane). */
        final int copyRows;
        /** Output vectors per (flat) plane. */
        final int vectors;
        /** Byte offset of each tap, phase plane included, from an output vector's base. */
        final int[] tapBytes;
        final long padFloats, outFloats;

        public Geometry(int h, int w, Conv2dSpec s) {
            if (!applies(s)) throw new IllegalArgumentException("strides must be 1 or 2, got " + s.strideH() + "x" + s.strideW());
            this.h = h;
            this.w = w;
            oh = s.outH(h);
            ow = s.outW(w);
            if (oh < 1 || ow < 1) throw new IllegalArgumentException("empty output " + oh + "x" + ow + " for " + h + "x" + w + " " + s);
            sh = s.strideH();
            sw = s.strideW();
            pt = s.padTop();
            pl = s.padLeft();
            int kh = s.kernelH(), kw = s.kernelW(), dh = s.dilationH(), dw = s.dilationW();
            threeByThree = kh == 3 && kw == 3;
            int paddedRows = (oh - 1) * sh + (kh - 1) * dh + 1, paddedCols = pl + w + s.padRight();
            pitch = (paddedCols + sw - 1) / sw;
            int planeRows = (paddedRows + sh - 1) / sh;
            copyRows = Math.max(0, Math.min(h, paddedRows - pt));
            vectors = (int) (((long) oh * pitch + L - 1) / L);
            // The furthest tap inside a phase plane; the last vector reads one vector from there.
            long furthest = (long) ((kh - 1) * dh / sh) * pitch + (kw - 1) * dw / sw;
            planeFloats = (Math.max((long) planeRows * pitch, (long) vectors * L + furthest) + L - 1) / L * L;
            padFloats = planeFloats * sh * sw;
            outFloats = (long) vectors * L + L; // + one vector: the last row's tail is read whole
            if (padFloats + outFloats > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("plane too large: " + h + "x" + w);
            tapBytes = new int[kh * kw];
            for (int p = 0; p < kh; p++) {
                for (int q = 0; q < kw; q++) {
                    int r = p * dh, c = q * dw;
                    long phase = (long) (r % sh) * sw + c % sw;
                    tapBytes[p * kw + q] = (int) (4 * (phase * planeFloats + (long) (r / sh) * pitch + c / sw));
                }
            }
        }

        /** Scratch bytes one worker needs: the phase planes, then the output plane. */
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
                DepthwisePadded3x3.flat(scratch, pad, g.tapBytes, g.vectors, w, wc, b, lo, hi, scratch, out);
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

    /** Copies the input rows the convolution reads into the phase planes, inside their zero halo. */
    private static void copyIn(MemorySegment x, long src, Geometry g, MemorySegment pad, long padOff) {
        long planeBytes = 4 * g.planeFloats;
        for (int y = 0; y < g.copyRows; y++) {
            int r = y + g.pt; // padded row
            long row = padOff + (r % g.sh) * g.sw * planeBytes + 4L * (r / g.sh) * g.pitch;
            long s = src + 4L * y * g.w;
            if (g.sw == 1) {
                copyRow(x, s, g.w, pad, row + 4L * g.pl);
            } else { // padded column c = x + pl goes to phase c mod 2, column c div 2
                long even = row + (g.pl & 1) * planeBytes + 4L * (g.pl >> 1);
                long odd = row + ((g.pl + 1) & 1) * planeBytes + 4L * ((g.pl + 1) >> 1);
                deinterleaveRow(x, s, g.w, pad, even, odd);
            }
        }
    }

    /** {@code n} floats from x at byte {@code s} to {@code pad} at byte {@code d}. */
    private static void copyRow(MemorySegment x, long s, int n, MemorySegment pad, long d) {
        int full = n / L * L;
        for (int j = 0; j < full; j += L) {
            FloatVector.fromMemorySegment(F, x, s + 4L * j, ORDER).intoMemorySegment(pad, d + 4L * j, ORDER);
        }
        if (full == n) return;
        if (fits(x, s + 4L * full)) { // lanes past the row are read (inside the segment) and not stored
            FloatVector.fromMemorySegment(F, x, s + 4L * full, ORDER)
                    .intoMemorySegment(pad, d + 4L * full, ORDER, IOTA.compare(LT, n - full));
        } else {
            for (int j = full; j < n; j++) pad.set(JAVA_FLOAT, d + 4L * j, x.get(JAVA_FLOAT, s + 4L * j));
        }
    }

    /**
     * The even-indexed of {@code n} floats from x at byte {@code s} to {@code even}, the odd-indexed
     * to {@code odd}: whole vectors here, the rest in {@link #deinterleaveTail} (with the masked
     * stores in this loop C2 left its plain stores as calls, 3× slower).
     */
    private static void deinterleaveRow(MemorySegment x, long s, int n, MemorySegment pad, long even, long odd) {
        int k = 0;
        for (; k + L <= n / 2 && fits(x, s + 4L * (2 * k + L)); k += L) { // x[2k … 2k + 2L)
            FloatVector a = FloatVector.fromMemorySegment(F, x, s + 8L * k, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(F, x, s + 8L * k + 4L * L, ORDER);
            EVEN.selectFrom(a, b).intoMemorySegment(pad, even + 4L * k, ORDER);
            ODD.selectFrom(a, b).intoMemorySegment(pad, odd + 4L * k, ORDER);
        }
        if (2 * k < n) deinterleaveTail(x, s, n, pad, even, odd, k);
    }

    /** {@link #deinterleaveRow} from pair k on: fewer than L pairs left, or the segment's end near. */
    private static void deinterleaveTail(MemorySegment x, long s, int n, MemorySegment pad, long even, long odd, int k) {
        int nEven = (n + 1) / 2 - k, nOdd = n / 2 - k;
        if (nEven <= L && fits(x, s + 4L * (2 * k + L))) {
            FloatVector a = FloatVector.fromMemorySegment(F, x, s + 8L * k, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(F, x, s + 8L * k + 4L * L, ORDER);
            EVEN.selectFrom(a, b).intoMemorySegment(pad, even + 4L * k, ORDER, IOTA.compare(LT, nEven));
            ODD.selectFrom(a, b).intoMemorySegment(pad, odd + 4L * k, ORDER, IOTA.compare(LT, nOdd));
            return;
        }
        for (int i = 0; i < nEven; i++) pad.set(JAVA_FLOAT, even + 4L * (k + i), x.get(JAVA_FLOAT, s + 8L * (k + i)));
        for (int i = 0; i < nOdd; i++) pad.set(JAVA_FLOAT, odd + 4L * (k + i), x.get(JAVA_FLOAT, s + 8L * (k + i) + 4));
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
