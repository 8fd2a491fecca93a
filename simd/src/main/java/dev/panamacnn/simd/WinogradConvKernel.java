package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.FusedConvTiles;
import dev.panamacnn.simd.kernels.WinogradF2x3;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A 3×3 stride-1 convolution padded by 1 (ResNet-18's layer1 to layer3, but for their stride-2
 * first convolutions) by Winograd's F(2×2, 3×3) ({@link WinogradF2x3}): 2.25× fewer
 * multiply-adds than {@link BlockedConvKernel}, which ran these layers at 97 % of the core's peak.
 * Blocked input read in place through its halo, blocked output (any halo), bias, residual and
 * clamp as there.
 *
 * <p>The image's 2×2 output tiles are taken in chunks of {@code chunk} tiles (a multiple of 7),
 * row-major. Per chunk, each worker:
 * <ol>
 *   <li>transforms the chunk's 4×4 input tiles into its scratch: 16 blocked "images" V[ξ] of
 *       {@code chunk} pixels each, one per position ξ of the 4×4 tile;
 *   <li>runs 16 1×1 convolutions M[ξ] = U[ξ] · V[ξ] over them with the flat tiles ({@link
 *       FusedConvTiles#flat}: 7 tiles × 32 output channels, reduction over the input channels),
 *       U[ξ] the transformed weights packed as {@link BlockedConvKernel} packs a 1×1 layer's;
 *   <li>transforms each tile's 16 M vectors back into its 2×2 outputs, adding bias and residual.
 * </ol>
 * The chunk is sized so that V and M together stay near 256 KB (in L2).
 */
final class WinogradConvKernel implements Kernel {
    private static final int BLOCK = BlockedConvKernel.BLOCK, POSITIONS = 16, PIXELS = FusedConvTiles.PIXELS;
    private static final long PIXEL = (long) BLOCK * Float.BYTES;
    /** Scratch per worker that V and M aim for. */
    private static final long SCRATCH_TARGET = 256 * 1024;
    /**
     * Below this many output tiles per image the direct kernel is used: ResNet-18's layer3 (49
     * tiles) gains 2× with Winograd; at 7×7 (layer4, odd, 16 tiles) the transformed weights, 16/9
     * of the direct kernel's, would be streamed from memory for very few tiles.
     */
    private static final int MIN_TILES = 49;

    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment packed, zeros, bias;
    private final int[] kOffset;
    private final int n, inBlocks, outBlocks, panels, tilesWide, tiles, chunk, chunks, inHalo, outHalo, oh, ow;
    private final long inPlane, inRow, outPlane, outRow, vBytes, mBytes;
    private final float min, max;

    /** Whether this kernel runs {@code op}: see the class comment; channel counts in whole blocks and panels. */
    static boolean supports(Ops.Conv op) {
        Conv2dSpec s = op.spec();
        int c = op.input().dim(1), o = op.output().dim(1);
        return WinogradF2x3.supported() && op.input().rank() == 4 && s.groups() == 1
                && s.kernelH() == 3 && s.kernelW() == 3 && s.strideH() == 1 && s.strideW() == 1
                && s.dilationH() == 1 && s.dilationW() == 1
                && s.padTop() == 1 && s.padBottom() == 1 && s.padLeft() == 1 && s.padRight() == 1
                && op.inLayout() == ChannelLayout.BLOCKED && op.outLayout() == ChannelLayout.BLOCKED && op.inHalo() >= 1
                && c % BLOCK == 0 && o % (2 * BLOCK) == 0
                && op.output().dim(2) % 2 == 0 && op.output().dim(3) % 2 == 0
                && (op.output().dim(2) / 2) * (op.output().dim(3) / 2) % PIXELS == 0
                && (op.output().dim(2) / 2) * (op.output().dim(3) / 2) >= MIN_TILES
                && BlockedConvKernel.supports(op);
    }

    WinogradConvKernel(Ops.Conv op) {
        if (!supports(op)) throw new IllegalArgumentException("Winograd F(2x2, 3x3) cannot run " + op.spec() + " on " + op.input());
        this.op = op;
        int c = op.input().dim(1), o = op.output().dim(1), h = op.input().dim(2), w = op.input().dim(3);
        n = op.input().dim(0);
        oh = op.output().dim(2);
        ow = op.output().dim(3);
        inBlocks = c / BLOCK;
        outBlocks = o / BLOCK;
        panels = outBlocks / 2;
        inHalo = op.inHalo();
        outHalo = op.outHalo();
        inRow = (w + 2L * inHalo) * PIXEL;
        inPlane = (h + 2L * inHalo) * inRow;
        outRow = (ow + 2L * outHalo) * PIXEL;
        outPlane = (oh + 2L * outHalo) * outRow;
        tilesWide = ow / 2;
        tiles = oh / 2 * tilesWide;
        long perTile = POSITIONS * (long) (inBlocks + outBlocks) * PIXEL;
        chunk = (int) Math.min(tiles, Math.max(PIXELS, SCRATCH_TARGET / perTile / PIXELS * PIXELS));
        chunks = (tiles + chunk - 1) / chunk;
        vBytes = (long) inBlocks * chunk * PIXEL; // one position's V
        mBytes = (long) outBlocks * chunk * PIXEL; // one position's M
        min = op.activation().min();
        max = op.activation().max();

        kOffset = new int[c];
        for (int ci = 0; ci < c; ci++) kOffset[ci] = (int) (ci / BLOCK * chunk * PIXEL + ci % BLOCK * Float.BYTES);
        // U[ξ] per panel of 32 output channels: c rows of 32 floats, as BlockedConvKernel packs a 1×1 layer.
        packed = arena.allocate((long) POSITIONS * o * c * Float.BYTES, 64);
        float[] weight = op.weight(), u = new float[POSITIONS];
        for (int oc = 0; oc < o; oc++) {
            for (int ci = 0; ci < c; ci++) {
                WinogradF2x3.kernel(weight, (oc * c + ci) * 9, u);
                for (int xi = 0; xi < POSITIONS; xi++) {
                    long at = (((long) xi * panels + oc / (2 * BLOCK)) * c + ci) * 2 * BLOCK + oc % (2 * BLOCK);
                    packed.setAtIndex(ValueLayout.JAVA_FLOAT, at, u[xi]);
                }
            }
        }
        zeros = arena.allocate(2 * PIXEL, 64);
        bias = arena.allocate((long) o * Float.BYTES, 64);
        for (int oc = 0; oc < o; oc++) bias.setAtIndex(ValueLayout.JAVA_FLOAT, oc, op.bias()[oc]);
    }

    @Override
    public long scratchBytesPerThread() {
        return POSITIONS * (vBytes + mBytes);
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        return new RangeKernel(n * chunks, (long) chunk * POSITIONS * inBlocks * outBlocks * BLOCK * BLOCK) {
            @Override
            void compute(ExecutionContext c, int from, int to, int worker) {
                for (int u = from; u < to; u++) chunk(c.workspace(), c.scratch(worker), u / chunks, u % chunks);
            }
        }.bind(ctx);
    }

    /** Tiles [k·chunk, (k+1)·chunk) of image {@code image}, through the worker's scratch {@code s}. */
    private void chunk(MemorySegment ws, MemorySegment s, int image, int k) {
        int first = k * chunk, count = Math.min(chunk, tiles - first);
        long in = op.in().byteOffset() + image * inBlocks * inPlane;
        long out = op.out().byteOffset() + image * outBlocks * outPlane;
        long res = op.residual() == null ? -1 : op.residual().byteOffset() + image * outBlocks * outPlane;
        long vStride = vBytes, mBase = POSITIONS * vBytes;
        // 1. V[ξ][block][tile] = Bᵀ d B; the tile's top-left input pixel is (2ty − 1, 2tx − 1), in the halo at the edges.
        for (int b = 0; b < inBlocks; b++) {
            long plane = in + b * inPlane + (inHalo - 1) * (inRow + PIXEL);
            for (int t = 0; t < count; t++) {
                int ty = (first + t) / tilesWide, tx = (first + t) % tilesWide;
                WinogradF2x3.input(ws, plane + 2L * ty * inRow + 2L * tx * PIXEL, inRow, s, (b * (long) chunk + t) * PIXEL, vStride);
            }
        }
        // 2. M[ξ] = U[ξ] · V[ξ]: one 1×1 convolution per position, 32 output channels per panel.
        long panelWeights = (long) inBlocks * BLOCK * 2 * BLOCK * Float.BYTES;
        for (int xi = 0; xi < POSITIONS; xi++) {
            for (int p = 0; p < panels; p++) {
                FusedConvTiles.flat(count / PIXELS, s, xi * vBytes, kOffset, packed, ((long) xi * panels + p) * panelWeights,
                        s, mBase + xi * mBytes + 2L * p * chunk * PIXEL, chunk * PIXEL, zeros, 0,
                        Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            }
        }
        // 3. Y = Aᵀ M A + bias (+ residual), clamped, to the 2×2 outputs; the first tile of a row writes the row's border.
        for (int b = 0; b < outBlocks; b++) {
            long plane = out + b * outPlane, corner = plane + outHalo * (outRow + PIXEL);
            for (int t = 0; t < count; t++) {
                int ty = (first + t) / tilesWide, tx = (first + t) % tilesWide;
                long at = 2L * ty * outRow + 2L * tx * PIXEL, m = mBase + (b * (long) chunk + t) * PIXEL;
                if (res < 0) {
                    WinogradF2x3.output(s, m, mBytes, bias, b * PIXEL, ws, corner + at, outRow, min, max);
                } else {
                    WinogradF2x3.outputResidual(s, m, mBytes, bias, b * PIXEL, ws, corner + at,
                            res + b * outPlane + outHalo * (outRow + PIXEL) + at, outRow, min, max);
                }
                if (outHalo > 0 && tx == 0) {
                    HaloBorder.zeroRowShare(ws, plane, 2 * ty, oh, ow, outHalo);
                    HaloBorder.zeroRowShare(ws, plane, 2 * ty + 1, oh, ow, outHalo);
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
