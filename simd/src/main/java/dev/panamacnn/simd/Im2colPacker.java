package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col fused into GEMM packing: writes B panels (see {@link BPacker}) for the convolution
 * GEMM {@code out[O × OH·OW] = W[O × C·kH·kW] · B}, reading straight from one NCHW image, so
 * the column matrix never exists. Row {@code k = (c·kH + p)·kW + q} of B, column
 * {@code n = oh·OW + ow} holds {@code x[c, oh·sH − padTop + p·dH, ow·sW − padLeft + q·dW]}
 * (0 in the padding).
 *
 * <p>For stride 1 each panel row is at most a few contiguous runs of the input row, copied
 * with masked vector loads; other strides gather element by element. A 1×1 stride-1 conv is the
 * degenerate case where every run is a plain copy of the input plane.
 *
 * <p>One instance per execution context and group: {@link #image} points it at the current
 * image before each GEMM; {@link #pack} itself only reads its fields, so the GEMM's threads may
 * call it concurrently.
 */
final class Im2colPacker implements BPacker {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int NR = GemmConfig.NR;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lanes 0, 2, 4, … of the concatenation of two vectors (negative indices select the second). */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S,
            i -> 2 * i < S.length() ? 2 * i : 2 * i - 2 * S.length());

    private final int h, w, ow, n;
    private final int strideW;
    /** Per B row k: input channel offset (elements), row shift dy and column shift dx. */
    private final long[] rowChannelOffset;
    private final int[] rowDy, rowDx;
    /** Per output row oh: oh·sH (the window's top before the per-k shift). */
    private final int[] ohTop;

    private final MemorySegment x;
    private final long imageOffset; // elements

    /**
     * @param x memory holding the image; {@code imageOffset} its first element
     * @param channelOffset first input channel of this group (grouped convs pack one group at a time)
     * @param channels input channels of the group
     */
    Im2colPacker(MemorySegment x, long imageOffset, int channelOffset, int channels, int h, int w, Conv2dSpec spec) {
        this.x = x;
        this.imageOffset = imageOffset;
        this.h = h;
        this.w = w;
        int oh = spec.outH(h);
        this.ow = spec.outW(w);
        this.n = oh * ow;
        this.strideW = spec.strideW();
        int kk = spec.kernelH() * spec.kernelW();
        int k = channels * kk;
        rowChannelOffset = new long[k];
        rowDy = new int[k];
        rowDx = new int[k];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < spec.kernelH(); p++) {
                for (int q = 0; q < spec.kernelW(); q++) {
                    int r = (c * spec.kernelH() + p) * spec.kernelW() + q;
                    rowChannelOffset[r] = (long) (channelOffset + c) * h * w;
                    rowDy[r] = p * spec.dilationH() - spec.padTop();
                    rowDx[r] = q * spec.dilationW() - spec.padLeft();
                }
            }
        }
        ohTop = new int[oh];
        for (int i = 0; i < oh; i++) ohTop[i] = i * spec.strideH();
    }

    @Override
    public void pack(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes) {
        FloatVector zero = FloatVector.zero(S);
        int panels = (nc + NR - 1) / NR;
        for (int panel = 0; panel < panels; panel++) {
            int colStart = n0 + panel * NR;
            int cols = Math.min(NR, Math.min(n, n0 + nc) - colStart);
            long panelBase = dstOffsetBytes + (long) panel * kc * NR * Float.BYTES;
            for (int kk = 0; kk < kc; kk++) {
                int r = k0 + kk;
                long rowBase = panelBase + (long) kk * NR * Float.BYTES;
                for (int j = 0; j < NR; j += S.length()) zero.intoMemorySegment(dst, rowBase + (long) j * Float.BYTES, LE);
                long plane = imageOffset + rowChannelOffset[r];
                int dy = rowDy[r], dx = rowDx[r];
                // Walk the panel's columns one output row at a time.
                int j = 0;
                while (j < cols) {
                    int col = colStart + j;
                    int oy = col / ow, ox = col % ow;
                    int run = Math.min(cols - j, ow - ox); // columns left in this output row
                    int iy = ohTop[oy] + dy;
                    if (iy >= 0 && iy < h) {
                        long rowIn = plane + (long) iy * w;
                        if (strideW == 1) {
                            copyRun(rowIn, ox + dx, run, dst, rowBase + (long) j * Float.BYTES);
                        } else if (strideW == 2) {
                            copyEvenRun(rowIn, ox, dx, run, dst, rowBase + (long) j * Float.BYTES);
                        } else {
                            for (int t = 0; t < run; t++) {
                                int ix = (ox + t) * strideW + dx;
                                if (ix >= 0 && ix < w) {
                                    dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, rowBase + (long) (j + t) * Float.BYTES,
                                            x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, rowIn + ix));
                                }
                            }
                        }
                    }
                    j += run;
                }
            }
        }
    }

    /**
     * Stride 2 (e.g. ResNet's 7×7 stem and downsampling convs): output column {@code ox + t}
     * reads input column {@code 2·(ox + t) + dx}. Two vector loads cover 2·lanes input columns;
     * one two-vector shuffle keeps the even ones.
     */
    private void copyEvenRun(long rowIn, int ox, int dx, int len, MemorySegment dst, long dstByte) {
        int first = Math.max(0, ceilDiv(-dx, 2) - ox);               // first t with input column >= 0
        int end = Math.min(len, ceilDiv(w - dx, 2) - ox);            // first t with input column >= w
        int lanes = S.length();
        for (int t = first; t < end; t += lanes) {
            int base = 2 * (ox + t) + dx;                            // input column of output t
            int avail = w - base;                                    // input columns left in the row
            FloatVector lo = FloatVector.fromMemorySegment(S, x, (rowIn + base) * Float.BYTES, LE,
                    S.indexInRange(0, avail));
            FloatVector hi = FloatVector.fromMemorySegment(S, x, (rowIn + base + lanes) * Float.BYTES, LE,
                    S.indexInRange(0, avail - lanes));
            lo.rearrange(EVEN, hi).intoMemorySegment(dst, dstByte + (long) t * Float.BYTES, LE,
                    S.indexInRange(t, end));
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** Copies input columns [ix0, ix0 + len) of one row (zeros outside [0, w) are already there). */
    private void copyRun(long rowIn, int ix0, int len, MemorySegment dst, long dstByte) {
        int skip = Math.max(0, -ix0);             // leading padding
        int end = Math.min(len, w - ix0);         // columns before trailing padding
        for (int t = skip; t < end; t += S.length()) {
            VectorMask<Float> m = S.indexInRange(t, end);
            FloatVector v = FloatVector.fromMemorySegment(S, x, (rowIn + ix0 + t) * Float.BYTES, LE, m);
            v.intoMemorySegment(dst, dstByte + (long) t * Float.BYTES, LE, m);
        }
    }
}
