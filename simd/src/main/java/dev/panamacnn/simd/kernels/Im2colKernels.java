package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.EVEN;
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
import jdk.incubator.vector.VectorMask;

/**
 * im2col for one NCHW image, in the layout of {@link dev.panamacnn.core.reference.ConvRef#im2col}:
 * row {@code (c·kH + p)·kW + q}, column {@code i·outW + j} holds
 * {@code x[c, i·sH − padTop + p·dH, j·sW − padLeft + q·dW]}, 0 in the padding. Groups do not
 * change the layout.
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats). The image is
 * {@code [channels, height, width]} at {@code xOff}; the column matrix is
 * {@code [channels·kH·kW, outH·outW]} at {@code colsOff}. Each call fills the kH·kW rows of
 * channels {@code [fromChannel, toChannel)}; a batch is one call per image with shifted offsets.
 * Nothing is allocated; cols must not overlap x.
 *
 * <p><b>Vectorisation.</b> Each (p, q, i) is a run of outW outputs: zeros for the padded
 * columns, then a copy of the in-bounds part. Stride 1 copies contiguous vectors (masked tail);
 * stride 2 loads two vectors a‖b and keeps the even columns (one permute per {@link Vec#L}
 * outputs); larger strides copy element by element. Exact: values are only moved.
 */
public final class Im2colKernels {
    private Im2colKernels() {}

    public static void im2col(MemorySegment x, long xOff, MemorySegment cols, long colsOff,
                              int channels, int height, int width, Conv2dSpec spec,
                              int fromChannel, int toChannel) {
        String op = "im2col";
        if (spec == null) throw new IllegalArgumentException(op + ": spec expected, got null");
        Args.positive(op, "channels", channels);
        Args.positive(op, "height", height);
        Args.positive(op, "width", width);
        Args.range(op, "channel", fromChannel, toChannel);
        if (toChannel > channels) {
            throw new IllegalArgumentException(op + ": channel range end expected <= " + channels
                    + ", got " + toChannel);
        }
        int oh = spec.outH(height), ow = spec.outW(width); // throw if the kernel does not fit
        int kh = spec.kernelH(), kw = spec.kernelW();
        long colLen = (long) oh * ow;
        Args.fits(op, "input", x, xOff, (long) channels * height * width);
        Args.fits(op, "columns", cols, colsOff, (long) channels * kh * kw * colLen);
        int sw = spec.strideW();
        for (int c = fromChannel; c < toChannel; c++) {
            long xc = xOff + (long) c * height * width;
            for (int p = 0; p < kh; p++) {
                for (int q = 0; q < kw; q++) {
                    long out = colsOff + (((long) c * kh + p) * kw + q) * colLen;
                    int shift = q * spec.dilationW() - spec.padLeft(); // input column = j·sW + shift
                    int jA = Math.min(ow, shift >= 0 ? 0 : (-shift + sw - 1) / sw);
                    long lastIn = Math.floorDiv((long) width - 1 - shift, sw); // last j inside the row
                    int jB = (int) Math.max(jA, Math.min(ow, lastIn + 1));
                    for (int i = 0; i < oh; i++, out += ow) {
                        int yy = i * spec.strideH() - spec.padTop() + p * spec.dilationH();
                        if (yy < 0 || yy >= height) {
                            zero(cols, out, ow);
                            continue;
                        }
                        zero(cols, out, jA);
                        long src = xc + (long) yy * width + (long) jA * sw + shift;
                        if (sw == 1) {
                            copy(x, src, cols, out + jA, jB - jA);
                        } else {
                            long rowEnd = xc + (long) (yy + 1) * width;
                            copyStrided(x, src, cols, out + jA, jB - jA, sw, rowEnd);
                        }
                        zero(cols, out + jB, ow - jB);
                    }
                }
            }
        }
    }

    private static void zero(MemorySegment s, long at, int n) {
        FloatVector zero = FloatVector.zero(F);
        long b = at * 4;
        int k = 0;
        for (; k + L <= n; k += L) zero.intoMemorySegment(s, b + k * 4L, ORDER);
        if (k < n && fits(s, b + k * 4L)) {
            zero.intoMemorySegment(s, b + k * 4L, ORDER, IOTA.compare(LT, n - k));
            return;
        }
        Tails.zero(s, b, k, n);
    }

    private static void copy(MemorySegment x, long src, MemorySegment y, long dst, int n) {
        long sb = src * 4, db = dst * 4;
        int k = 0;
        for (; k + L <= n; k += L) {
            FloatVector.fromMemorySegment(F, x, sb + k * 4L, ORDER).intoMemorySegment(y, db + k * 4L, ORDER);
        }
        if (k < n && fits(x, sb + k * 4L) && fits(y, db + k * 4L)) {
            VectorMask<Float> m = IOTA.compare(LT, n - k);
            FloatVector.fromMemorySegment(F, x, sb + k * 4L, ORDER, m).intoMemorySegment(y, db + k * 4L, ORDER, m);
            return;
        }
        Tails.copy(x, sb, y, db, k, n);
    }

    /** n outputs {@code x[src + k·stride]}; vectors (stride 2) only while a‖b ends before rowEnd. */
    private static void copyStrided(MemorySegment x, long src, MemorySegment y, long dst, int n,
                                    int stride, long rowEnd) {
        int k = 0;
        if (stride == 2) {
            for (; k + L <= n && src + 2L * k + 2L * L <= rowEnd; k += L) {
                long at = (src + 2L * k) * 4;
                FloatVector a = FloatVector.fromMemorySegment(F, x, at, ORDER);
                FloatVector b = FloatVector.fromMemorySegment(F, x, at + L * 4L, ORDER);
                EVEN.selectFrom(a, b).intoMemorySegment(y, (dst + k) * 4, ORDER);
            }
        }
        for (; k < n; k++) y.setAtIndex(JAVA_FLOAT, dst + k, x.getAtIndex(JAVA_FLOAT, src + (long) k * stride));
    }
}
