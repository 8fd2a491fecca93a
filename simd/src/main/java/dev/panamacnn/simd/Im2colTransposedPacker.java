package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The transposed im2col matrix as packed B panels, for the weight gradient of a convolution,
 * {@code ∂L/∂W_g[O_g × C_g·kH·kW] = dY_g[O_g × OH·OW] · colsᵀ}: row {@code k = oh·OW + ow} (an
 * output pixel), column {@code n = (c·kH + p)·kW + q} (a weight tap) holds
 * {@code x[c, oh·sH − padTop + p·dH, ow·sW − padLeft + q·dW]}, 0 in the padding. Packing straight
 * from the image saves materialising and then transposing the column matrix. Scalar: the
 * transposition is a gather whichever way it is done; the GEMM's FMAs are the vectorised part.
 *
 * <p>Keeps no mutable state, so the GEMM's threads may call {@link #pack} concurrently.
 */
final class Im2colTransposedPacker implements BPacker {
    private static final int NR = GemmConfig.NR;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final MemorySegment x;
    private final int h, w, ow, strideH, strideW;
    /** Per tap n: channel plane offset (elements), row shift and column shift. */
    private final long[] tapPlane;
    private final int[] tapDy, tapDx;

    Im2colTransposedPacker(MemorySegment x, long imageOffset, int channelOffset, int channels, int h, int w,
                           Conv2dSpec spec) {
        this.x = x;
        this.h = h;
        this.w = w;
        this.ow = spec.outW(w);
        this.strideH = spec.strideH();
        this.strideW = spec.strideW();
        int kh = spec.kernelH(), kw = spec.kernelW(), taps = channels * kh * kw;
        tapPlane = new long[taps];
        tapDy = new int[taps];
        tapDx = new int[taps];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < kh; p++) {
                for (int q = 0; q < kw; q++) {
                    int n = (c * kh + p) * kw + q;
                    tapPlane[n] = imageOffset + (long) (channelOffset + c) * h * w;
                    tapDy[n] = p * spec.dilationH() - spec.padTop();
                    tapDx[n] = q * spec.dilationW() - spec.padLeft();
                }
            }
        }
    }

    @Override
    public void pack(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes) {
        int panels = (nc + NR - 1) / NR;
        long at = dstOffsetBytes;
        for (int p = 0; p < panels; p++) {
            int first = n0 + p * NR, cols = Math.min(NR, nc - p * NR);
            for (int kk = 0; kk < kc; kk++) {
                int pixel = k0 + kk;
                int top = pixel / ow * strideH, left = pixel % ow * strideW;
                for (int j = 0; j < cols; j++) {
                    int n = first + j;
                    int y = top + tapDy[n], z = left + tapDx[n];
                    float v = y < 0 || y >= h || z < 0 || z >= w ? 0f : x.getAtIndex(F, tapPlane[n] + (long) y * w + z);
                    dst.set(F, at + (long) j * 4, v);
                }
                for (int j = cols; j < NR; j++) dst.set(F, at + (long) j * 4, 0f);
                at += (long) NR * 4;
            }
        }
    }
}
