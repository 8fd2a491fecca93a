package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2×2 max pooling with stride 2 and no padding (LeNet's and most small CNNs' pooling), forward
 * and backward, over planes {@code [from, to)} of NCHW tensors (offsets in elements).
 *
 * <p>The winner of a window is the reference's ({@code PoolBackwardRef}): the first maximum in
 * row-major order, a NaN winning over numbers, so the backward routes each gradient to exactly
 * the element the reference picks, and the forward's value is that element. Per output row,
 * L outputs at a time: two loads per input row (2L floats), one two-vector permute each for the
 * even and odd columns, and the backward interleaves its results back with two more. Rows
 * narrower than a vector use masked loads and stores; a block whose whole vector would reach past
 * the end of a segment (the tensor's last rows) takes the scalar path instead, where masked
 * accesses would be slow. With an odd height or width (floor mode) the uncovered last row or
 * column of dx is zero.
 */
final class MaxPool2x2 {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Permute indexes over a‖b (see simd.kernels.Vec): even and odd lanes, and their inverse (zip). */
    private static final FloatVector EVEN = iota(i -> 2 * i);
    private static final FloatVector ODD = iota(i -> 2 * i + 1);
    private static final FloatVector ZIP_LO = iota(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector ZIP_HI = iota(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);
    private static final FloatVector IOTA = iota(i -> i);

    private MaxPool2x2() {}

    /** Whether this kernel computes {@code spec} on an {@code h × w} plane. */
    static boolean applies(Pool2dSpec s, int h, int w) {
        return s.kernelH() == 2 && s.kernelW() == 2 && s.strideH() == 2 && s.strideW() == 2
                && s.padTop() == 0 && s.padLeft() == 0 && s.padBottom() == 0 && s.padRight() == 0
                && h >= 2 && w >= 2 && s.outH(h) == h / 2 && s.outW(w) == w / 2;
    }

    static void forward(MemorySegment x, MemorySegment y, int h, int w, int from, int to) {
        int oh = h / 2, ow = w / 2;
        long yEnd = (long) to * oh * ow;
        for (int p = from; p < to; p++) {
            for (int i = 0; i < oh; i++) {
                long top = (long) p * h * w + 2L * i * w, out = ((long) p * oh + i) * ow;
                for (int j = 0; j < ow; j += L) {
                    int cnt = Math.min(L, ow - j);
                    long a = top + 2L * j;
                    // Plain-vector block, then the masked one below: the same arithmetic written twice
                    // rather than loads chosen per block, which would merge vectors through a phi (see Vec).
                    if (spillsForward(cnt, ow) && out + j + L <= yEnd && fits(x, a + w + L) && fits(y, out + j)) {
                        FloatVector a0 = FloatVector.fromMemorySegment(S, x, a * 4, LE);
                        FloatVector b0 = 2 * cnt > L ? FloatVector.fromMemorySegment(S, x, (a + L) * 4, LE) : a0;
                        FloatVector a1 = FloatVector.fromMemorySegment(S, x, (a + w) * 4, LE);
                        FloatVector b1 = 2 * cnt > L ? FloatVector.fromMemorySegment(S, x, (a + w + L) * 4, LE) : a1;
                        FloatVector m = EVEN.selectFrom(a0, b0);
                        FloatVector v = ODD.selectFrom(a0, b0);
                        m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN))));
                        v = EVEN.selectFrom(a1, b1);
                        m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN))));
                        v = ODD.selectFrom(a1, b1);
                        m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN))));
                        m.intoMemorySegment(y, (out + j) * 4, LE);
                        continue;
                    }
                    if (!fits(x, a + w + L) || !fits(y, out + j)) {
                        for (int t = j; t < j + cnt; t++) {
                            long at = top + 2L * t;
                            y.setAtIndex(F, out + t, x.getAtIndex(F, at + winner(x, at, w)));
                        }
                        continue;
                    }
                    VectorMask<Float> mLo = IOTA.compare(VectorOperators.LT, 2 * cnt);
                    VectorMask<Float> mHi = IOTA.compare(VectorOperators.LT, 2 * cnt - L);
                    FloatVector a0 = FloatVector.fromMemorySegment(S, x, a * 4, LE, mLo);
                    FloatVector b0 = FloatVector.fromMemorySegment(S, x, (a + L) * 4, LE, mHi);
                    FloatVector a1 = FloatVector.fromMemorySegment(S, x, (a + w) * 4, LE, mLo);
                    FloatVector b1 = FloatVector.fromMemorySegment(S, x, (a + w + L) * 4, LE, mHi);
                    FloatVector m = EVEN.selectFrom(a0, b0);
                    FloatVector v = ODD.selectFrom(a0, b0);
                    m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN))));
                    v = EVEN.selectFrom(a1, b1);
                    m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN))));
                    v = ODD.selectFrom(a1, b1);
                    m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN))));
                    m.intoMemorySegment(y, (out + j) * 4, LE, IOTA.compare(VectorOperators.LT, cnt));
                }
            }
        }
    }

    static void backward(MemorySegment x, MemorySegment dy, MemorySegment dx, int h, int w, int from, int to) {
        int oh = h / 2, ow = w / 2;
        long dxEnd = (long) to * h * w;
        for (int p = from; p < to; p++) {
            long plane = (long) p * h * w;
            for (int i = 0; i < oh; i++) {
                long top = plane + 2L * i * w, out = ((long) p * oh + i) * ow;
                for (int j = 0; j < ow; j += L) {
                    int cnt = Math.min(L, ow - j);
                    long a = top + 2L * j;
                    // Plain-vector block first, masked below (written twice, as in forward).
                    if (spillsForward(cnt, ow) && a + w + 2L <= dxEnd && fits(x, a + w + L) && fits(dx, a + w + L)
                            && fits(dy, out + j)) {
                        boolean two = 2 * cnt > L;
                        FloatVector a0 = FloatVector.fromMemorySegment(S, x, a * 4, LE);
                        FloatVector b0 = two ? FloatVector.fromMemorySegment(S, x, (a + L) * 4, LE) : a0;
                        FloatVector a1 = FloatVector.fromMemorySegment(S, x, (a + w) * 4, LE);
                        FloatVector b1 = two ? FloatVector.fromMemorySegment(S, x, (a + w + L) * 4, LE) : a1;
                        FloatVector m = EVEN.selectFrom(a0, b0);
                        FloatVector v = ODD.selectFrom(a0, b0);
                        VectorMask<Float> t1 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN)));
                        m = m.blend(v, t1);
                        v = EVEN.selectFrom(a1, b1);
                        VectorMask<Float> t2 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN)));
                        m = m.blend(v, t2);
                        v = ODD.selectFrom(a1, b1);
                        VectorMask<Float> t3 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                                .andNot(m.test(VectorOperators.IS_NAN)));
                        VectorMask<Float> w2 = t2.andNot(t3);
                        VectorMask<Float> w1 = t1.andNot(t2).andNot(t3);
                        VectorMask<Float> w0 = t1.or(t2).or(t3).not();
                        FloatVector d = FloatVector.fromMemorySegment(S, dy, (out + j) * 4, LE);
                        FloatVector zero = FloatVector.zero(S);
                        FloatVector e = zero.blend(d, w0), o = zero.blend(d, w1);
                        ZIP_LO.selectFrom(e, o).intoMemorySegment(dx, a * 4, LE);
                        if (two) ZIP_HI.selectFrom(e, o).intoMemorySegment(dx, (a + L) * 4, LE);
                        e = zero.blend(d, w2);
                        o = zero.blend(d, t3);
                        ZIP_LO.selectFrom(e, o).intoMemorySegment(dx, (a + w) * 4, LE);
                        if (two) ZIP_HI.selectFrom(e, o).intoMemorySegment(dx, (a + w + L) * 4, LE);
                        continue;
                    }
                    if (!fits(x, a + w + L) || !fits(dx, a + w + L) || !fits(dy, out + j)) {
                        for (int t = j; t < j + cnt; t++) {
                            long at = top + 2L * t;
                            int win = winner(x, at, w);
                            float d = dy.getAtIndex(F, out + t);
                            dx.setAtIndex(F, at, win == 0 ? d : 0f);
                            dx.setAtIndex(F, at + 1, win == 1 ? d : 0f);
                            dx.setAtIndex(F, at + w, win == w ? d : 0f);
                            dx.setAtIndex(F, at + w + 1, win == w + 1 ? d : 0f);
                        }
                        continue;
                    }
                    VectorMask<Float> mLo = IOTA.compare(VectorOperators.LT, 2 * cnt);
                    VectorMask<Float> mHi = IOTA.compare(VectorOperators.LT, 2 * cnt - L);
                    FloatVector a0 = FloatVector.fromMemorySegment(S, x, a * 4, LE, mLo);
                    FloatVector b0 = FloatVector.fromMemorySegment(S, x, (a + L) * 4, LE, mHi);
                    FloatVector a1 = FloatVector.fromMemorySegment(S, x, (a + w) * 4, LE, mLo);
                    FloatVector b1 = FloatVector.fromMemorySegment(S, x, (a + w + L) * 4, LE, mHi);
                    FloatVector m = EVEN.selectFrom(a0, b0);
                    FloatVector v = ODD.selectFrom(a0, b0);
                    VectorMask<Float> t1 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN)));
                    m = m.blend(v, t1);
                    v = EVEN.selectFrom(a1, b1);
                    VectorMask<Float> t2 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN)));
                    m = m.blend(v, t2);
                    v = ODD.selectFrom(a1, b1);
                    VectorMask<Float> t3 = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)
                            .andNot(m.test(VectorOperators.IS_NAN)));
                    // The last window element taken is the winner.
                    VectorMask<Float> w2 = t2.andNot(t3);
                    VectorMask<Float> w1 = t1.andNot(t2).andNot(t3);
                    VectorMask<Float> w0 = t1.or(t2).or(t3).not();
                    FloatVector d = FloatVector.fromMemorySegment(S, dy, (out + j) * 4, LE,
                            IOTA.compare(VectorOperators.LT, cnt));
                    FloatVector zero = FloatVector.zero(S);
                    FloatVector e = zero.blend(d, w0), o = zero.blend(d, w1);
                    ZIP_LO.selectFrom(e, o).intoMemorySegment(dx, a * 4, LE, mLo);
                    ZIP_HI.selectFrom(e, o).intoMemorySegment(dx, (a + L) * 4, LE, mHi);
                    e = zero.blend(d, w2);
                    o = zero.blend(d, t3);
                    ZIP_LO.selectFrom(e, o).intoMemorySegment(dx, (a + w) * 4, LE, mLo);
                    ZIP_HI.selectFrom(e, o).intoMemorySegment(dx, (a + w + L) * 4, LE, mHi);
                }
                if ((w & 1) != 0) {
                    dx.setAtIndex(F, top + w - 1, 0f);
                    dx.setAtIndex(F, top + 2L * w - 1, 0f);
                }
            }
            if ((h & 1) != 0) dx.asSlice((plane + (long) (h - 1) * w) * 4, (long) w * 4).fill((byte) 0);
        }
    }

    /**
     * Whether a block of {@code cnt} outputs may use whole, unmasked vectors: lanes past the row's
     * end then read junk and write junk ahead (into the row's bottom half, the next rows or the next
     * plane), which is only safe where every later store of this loop covers that junk: a full
     * block, or the only block of its row (a short last block after full ones would spill into the
     * bottom row's part already written). Masked accesses cost ~4x as much per row on Zen 4.
     */
    private static boolean spillsForward(int cnt, int ow) {
        return cnt == L || ow <= L;
    }

    /** The reference's winner of the window at {@code at}: its offset 0, 1, w or w + 1. */
    private static int winner(MemorySegment x, long at, int w) {
        int best = 0;
        float m = x.getAtIndex(F, at);
        for (int k = 1; k <= 3; k++) {
            int off = k == 1 ? 1 : k == 2 ? w : w + 1;
            float v = x.getAtIndex(F, at + off);
            if (v > m || Float.isNaN(v) && !Float.isNaN(m)) {
                m = v;
                best = off;
            }
        }
        return best;
    }

    /** Whether a whole vector at element {@code at} lies inside the segment (masked accesses stay fast). */
    private static boolean fits(MemorySegment s, long at) {
        return at >= 0 && (at + L) * 4 <= s.byteSize();
    }

    private static FloatVector iota(java.util.function.IntUnaryOperator f) {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = f.applyAsInt(k);
        return FloatVector.fromArray(S, idx, 0);
    }
}
