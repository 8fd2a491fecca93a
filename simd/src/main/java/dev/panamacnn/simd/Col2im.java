package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * col2im for one image and group, the adjoint of im2col (see {@code ConvRef.col2im}): overwrites
 * the group's {@code channels} input planes with the sum of every column entry at the input
 * position it was read from. With stride 1 along W each (tap, output row) is a contiguous run
 * of the input row, added with vectors; other strides add element by element.
 */
final class Col2im {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Col2im() {}

    /**
     * @param cols  {@code [channels·kH·kW × OH·OW]} row-major from {@code colOff} (elements)
     * @param dx    the image's planes of this group start at {@code planeOff} (elements)
     */
    static void accumulate(MemorySegment cols, long colOff, MemorySegment dx, long planeOff, int channels, int h,
                           int w, Conv2dSpec s) {
        int oh = s.outH(h), ow = s.outW(w), kh = s.kernelH(), kw = s.kernelW();
        dx.asSlice(planeOff * 4, (long) channels * h * w * 4).fill((byte) 0);
        for (int c = 0; c < channels; c++) {
            long plane = planeOff + (long) c * h * w;
            for (int p = 0; p < kh; p++) {
                for (int q = 0; q < kw; q++) {
                    long row = colOff + ((long) (c * kh + p) * kw + q) * oh * ow;
                    int dxq = q * s.dilationW() - s.padLeft();
                    // Output columns j whose input column j·sW + dxq is inside [0, w).
                    int j0 = Math.max(0, ceilDiv(-dxq, s.strideW()));
                    int j1 = Math.min(ow, ceilDiv(w - dxq, s.strideW()));
                    if (j0 >= j1) continue;
                    for (int i = 0; i < oh; i++) {
                        int y = i * s.strideH() - s.padTop() + p * s.dilationH();
                        if (y < 0 || y >= h) continue;
                        long src = row + (long) i * ow;
                        long dst = plane + (long) y * w + dxq;
                        if (s.strideW() == 1) {
                            addRun(cols, src + j0, dx, dst + j0, j1 - j0);
                        } else {
                            for (int j = j0; j < j1; j++) {
                                long at = dst + (long) j * s.strideW();
                                dx.setAtIndex(F, at, dx.getAtIndex(F, at) + cols.getAtIndex(F, src + j));
                            }
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** dst[0, len) += src[0, len), offsets in elements. */
    private static void addRun(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int len) {
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector a = FloatVector.fromMemorySegment(S, dst, (dstOff + i) * 4, LE);
            a.add(FloatVector.fromMemorySegment(S, src, (srcOff + i) * 4, LE)).intoMemorySegment(dst, (dstOff + i) * 4, LE);
        }
        for (; i < len; i++) dst.setAtIndex(F, dstOff + i, dst.getAtIndex(F, dstOff + i) + src.getAtIndex(F, srcOff + i));
    }
}
