package dev.panamacnn.simd;

import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A convolution's output gradient as its backward pass reads it, a block of images at a time per
 * worker: channel o of image slot j at element {@code o·rowStride + j·padded}, the layer's
 * columns (OH·OW, or OH·W when wide, the columns past OW zero) then zeros up to {@code padded}.
 * A channel's rows of the block's images lie side by side, so {@link WeightGradKernel} runs over
 * all their panels in one call (with the forward's kept columns, which lie back to back too).
 * Kept across steps: only real columns are ever written, so the padding stays zero from
 * allocation, and the input-gradient GEMM's B packers over the slots are made once.
 */
final class DyBlocks implements AutoCloseable {
    /** Blocks of at least this many panels amortise the weight-gradient tiles' set-up. */
    private static final int MIN_PANELS = 20;
    private static final int MAX_IMAGES = 8;

    /** Images per block. */
    final int images;
    /** Floats per image row ({@code padded}) and from one channel's rows to the next's. */
    final long padded, rowStride;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] rows;
    private final BPacker[][][] packers;

    DyBlocks(int workers, int outC, int groups, long padded) {
        this.padded = padded;
        int panels = Math.toIntExact(padded / dev.panamacnn.simd.gemm.GemmConfig.NR);
        images = Math.max(1, Math.min(MAX_IMAGES, (MIN_PANELS + panels - 1) / panels));
        rowStride = images * padded;
        int og = outC / groups;
        rows = new MemorySegment[workers];
        packers = new BPacker[workers][images][groups];
        for (int t = 0; t < workers; t++) {
            rows[t] = arena.allocate(outC * rowStride * Float.BYTES, 64);
            for (int j = 0; j < images; j++) {
                for (int i = 0; i < groups; i++) {
                    packers[t][j][i] = new StridedBPacker(rows[t], i * og * rowStride + j * padded, rowStride, 1);
                }
            }
        }
    }

    MemorySegment rows(int worker) {
        return rows[worker];
    }

    /** B of the input-gradient GEMM: slot {@code slot}'s rows of group {@code group}. */
    BPacker packer(int worker, int slot, int group) {
        return packers[worker][slot][group];
    }

    /**
     * Copies image {@code b}'s dY ({@code [outC][oh][ow]} in NCHW {@code dy}) into slot {@code slot}
     * of {@code worker}'s block, its output rows {@code rowWidth} columns apart (W when wide, else OW).
     */
    void copy(MemorySegment dy, int b, int outC, int oh, int ow, int rowWidth, int worker, int slot) {
        MemorySegment dst = rows[worker];
        long ohw = (long) oh * ow;
        for (int o = 0; o < outC; o++) {
            long from = ((long) b * outC + o) * ohw, to = o * rowStride + slot * padded;
            if (rowWidth == ow) {
                MemorySegment.copy(dy, from * 4, dst, to * 4, ohw * 4);
                continue;
            }
            for (int r = 0; r < oh; r++) {
                MemorySegment.copy(dy, (from + (long) r * ow) * 4, dst, (to + (long) r * rowWidth) * 4, (long) ow * 4);
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
