package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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
 * <p>{@link #pack} only reads the fields, so the GEMM's threads may call it concurrently. An
 * owner that runs one GEMM at a time may re-point the packer at another image of the same shape
 * with {@link #point} between GEMMs (training reuses one packer per layer and thread).
 */
final class Im2colPacker implements BPacker {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int NR = GemmConfig.NR;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);
    /** Lane i holds 1 << i. */
    private static final IntVector LANE_BIT = IntVector.fromArray(IS,
            java.util.stream.IntStream.range(0, S.length()).map(i -> 1 << i).toArray(), 0);
    /** NR zero floats: padding is written by bulk copy from here. */
    private static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate((long) NR * Float.BYTES, 64);
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
    /** Runs of panel p are [panelRuns[p], panelRuns[p+1]): start column j, output row/column, length. */
    private final int[] panelRuns;
    private final int[] runJ, runOy, runOx, runLen;
    /**
     * Stride 1 with OW = W ("same" width): B row k is the input plane shifted by dy·W + dx, so a
     * panel row is NR consecutive input floats with the padding lanes masked to zero. Per panel
     * and kernel tap, {@code tapMasks} holds the valid-lane bits; {@code rowTap} maps a B row to
     * its tap and {@code rowShift} to its shift.
     */
    private final boolean linear;
    private final int taps;
    private final int[] tapMasks;
    /**
     * The same masks as lanes for an AND: per panel and tap, {@code tapMaskAt} is where its NR ints
     * (−1: lane packed from the image, 0: padding) start in {@code laneMasks}; equal masks are
     * stored once, so the table stays small (LeNet's 28×28 conv: a few dozen masks).
     */
    private final int[] tapMaskAt;
    private final int[] laneMasks;
    private final int[] rowTap;
    private final long[] rowShift;

    private MemorySegment x;
    private long imageOffset; // elements

    /**
     * @param x memory holding the image; {@code imageOffset} its first element
     * @param channelOffset first input channel of this group (grouped convs pack one group at a time)
     * @param channels input channels of the group
     */
    Im2colPacker(MemorySegment x, long imageOffset, int channelOffset, int channels, int h, int w, Conv2dSpec spec) {
        this(x, imageOffset, channelOffset, channels, h, w, spec, false);
    }

    /**
     * With {@code wide}, for a stride-1 convolution no wider than its input ({@link #wideApplies}):
     * columns are {@code n = oh·W + ow} over the input's width W instead of OW, the columns with
     * {@code ow ≥ OW} are zero, and every B row is the input plane shifted, packed with masked
     * vector copies (no per-run work). A GEMM on it computes OH·W outputs of which the caller
     * keeps OH·OW; training pays that for packing (and col2im, {@link #col2im}) without runs.
     */
    Im2colPacker(MemorySegment x, long imageOffset, int channelOffset, int channels, int h, int w, Conv2dSpec spec,
                 boolean wide) {
        this.x = x;
        this.imageOffset = imageOffset;
        this.h = h;
        this.w = w;
        int oh = spec.outH(h);
        this.ow = spec.outW(w);
        this.n = wide ? oh * w : oh * ow;
        if (wide && !wideApplies(spec, h, w)) {
            throw new IllegalArgumentException("wide im2col needs stride 1 and an output no wider than the input, got "
                    + spec + " on width " + w);
        }
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
        // The split of each NR-column panel into output-row runs is the same for every B row.
        int panels = (n + NR - 1) / NR;
        panelRuns = new int[panels + 1];
        int[] j0 = new int[panels * (NR + 1)], oy0 = new int[j0.length], ox0 = new int[j0.length], len0 = new int[j0.length];
        int runs = 0;
        for (int p = 0; p < panels; p++) {
            panelRuns[p] = runs;
            int cols = Math.min(NR, n - p * NR);
            for (int j = 0; j < cols; ) {
                int col = p * NR + j;
                j0[runs] = j;
                oy0[runs] = col / ow;
                ox0[runs] = col % ow;
                len0[runs] = Math.min(cols - j, ow - ox0[runs]);
                j += len0[runs++];
            }
        }
        panelRuns[panels] = runs;
        linear = spec.strideH() == 1 && spec.strideW() == 1 && (wide ? ow <= w : ow == w) && NR <= 32;
        taps = kk;
        rowTap = new int[k];
        rowShift = new long[k];
        for (int r = 0; r < k; r++) {
            rowTap[r] = r % kk;
            rowShift[r] = (long) rowDy[r] * w + rowDx[r];
        }
        tapMasks = new int[linear ? panels * kk : 0];
        if (linear) {
            for (int p = 0; p < panels; p++) {
                for (int t = 0; t < kk; t++) {
                    int dy = rowDy[t], dx = rowDx[t]; // rows 0..kk-1 are channel 0's taps
                    int bits = 0;
                    for (int j = 0; j < NR && p * NR + j < n; j++) {
                        // Linear columns run over the input's width (= OW unless wide).
                        int col = p * NR + j, iy = col / w + dy, ix = col % w + dx;
                        if (iy >= 0 && iy < h && ix >= 0 && ix < w && col % w < ow) bits |= 1 << j;
                    }
                    tapMasks[p * kk + t] = bits;
                }
            }
        }
        tapMaskAt = new int[tapMasks.length];
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        int[] table = new int[0];
        for (int i = 0; i < tapMasks.length; i++) {
            Integer at = seen.get(tapMasks[i]);
            if (at == null) {
                at = table.length;
                seen.put(tapMasks[i], at);
                table = java.util.Arrays.copyOf(table, at + NR);
                for (int j = 0; j < NR; j++) table[at + j] = (tapMasks[i] >>> j & 1) == 0 ? 0 : -1;
            }
            tapMaskAt[i] = at;
        }
        laneMasks = table;
        runJ = java.util.Arrays.copyOf(j0, runs);
        runOy = java.util.Arrays.copyOf(oy0, runs);
        runOx = java.util.Arrays.copyOf(ox0, runs);
        runLen = java.util.Arrays.copyOf(len0, runs);
    }

    /** Whether a {@code wide} packer can do {@code spec} on input width {@code w}. */
    static boolean wideApplies(Conv2dSpec spec, int h, int w) {
        return spec.strideH() == 1 && spec.strideW() == 1 && spec.outW(w) <= w && NR <= 32 && S.length() <= NR;
    }

    /** Columns of B: OH·OW, or OH·W when wide. */
    int columns() {
        return n;
    }

    /**
     * The adjoint of a wide packer's B (col2im): overwrites this group's input planes of the
     * image at {@code dxImage} (elements) with Σ of every column-matrix entry at the input position
     * it was packed from. {@code cols} is the K × {@link #columns()} matrix, row-major from
     * {@code colOff} (elements). Per B row and panel, two masked vector adds of the shifted plane,
     * as the packing reads it; a vector reaching outside a segment goes element by element.
     */
    void col2im(MemorySegment cols, long colOff, MemorySegment dx, long dxImage) {
        int k = rowTap.length, panels = (n + NR - 1) / NR, lanes = S.length();
        int laneBits = lanes >= 32 ? -1 : (1 << lanes) - 1;
        dx.asSlice((dxImage + rowChannelOffset[0]) * Float.BYTES, (long) (k / taps) * h * w * Float.BYTES)
                .fill((byte) 0);
        for (int r = 0; r < k; r++) {
            long plane = dxImage + rowChannelOffset[r], row = colOff + (long) r * n;
            for (int panel = 0; panel < panels; panel++) {
                int bits = tapMasks[panel * taps + rowTap[r]];
                if (bits == 0) continue;
                long dst = plane + (long) panel * NR + rowShift[r], src = row + (long) panel * NR;
                for (int v = 0; v < NR; v += lanes) {
                    int b = (bits >>> v) & laneBits;
                    if (b == 0) continue;
                    long d = dst + v, c = src + v;
                    boolean inside = d >= 0 && (d + lanes) * Float.BYTES <= dx.byteSize()
                            && (c + lanes) * Float.BYTES <= cols.byteSize();
                    if (inside && b == laneBits) { // every lane is one of this image's pixels: no mask
                        FloatVector.fromMemorySegment(S, dx, d * Float.BYTES, LE)
                                .add(FloatVector.fromMemorySegment(S, cols, c * Float.BYTES, LE))
                                .intoMemorySegment(dx, d * Float.BYTES, LE);
                    } else if (inside) {
                        // Int masks and blends as in packLinear; the store is masked, since the other
                        // lanes may belong to another thread's image.
                        VectorMask<Integer> m = IntVector.broadcast(IS, b).and(LANE_BIT).compare(VectorOperators.NE, 0);
                        FloatVector add = IntVector.zero(IS)
                                .blend(IntVector.fromMemorySegment(IS, cols, c * Float.BYTES, LE), m).reinterpretAsFloats();
                        FloatVector.fromMemorySegment(S, dx, d * Float.BYTES, LE).add(add).reinterpretAsInts()
                                .intoMemorySegment(dx, d * Float.BYTES, LE, m);
                    } else {
                        for (int j = 0; j < lanes; j++) {
                            if ((b >>> j & 1) == 0) continue;
                            dx.setAtIndex(ValueLayout.JAVA_FLOAT, d + j, dx.getAtIndex(ValueLayout.JAVA_FLOAT, d + j)
                                    + cols.getAtIndex(ValueLayout.JAVA_FLOAT, c + j));
                        }
                    }
                }
            }
        }
    }

    /** Whether {@link #col2imGather} applies: the wide layout of an unpadded convolution. */
    boolean gatherApplies(Conv2dSpec spec) {
        return linear && spec.padTop() == 0 && spec.padLeft() == 0 && spec.padBottom() == 0 && spec.padRight() == 0;
    }

    /** Zero floats {@link #col2imGather} needs before each B row (the largest tap shift). */
    long gatherMarginBefore() {
        long max = 0;
        for (long sft : rowShift) max = Math.max(max, sft);
        return max;
    }

    /** Zero floats {@link #col2imGather} needs after each B row's n columns. */
    long gatherMarginAfter() {
        return (long) h * w - n + S.length();
    }

    /**
     * col2im as a gather: every 16 pixels of dx are Σ over the channel's taps of one load from
     * the tap's B row, shifted, then stored once. The scatter form ({@link #col2im}) adds each
     * tap's row into dx in turn, and the overlapping, unaligned read-modify-writes of successive
     * taps stall on store forwarding. Needs the wide layout of an unpadded convolution
     * ({@link #gatherApplies}): a shifted row then reads, outside the real columns, only the
     * zero columns past OW (dY's extra columns are zero) or the zero margins around each row.
     *
     * @param rowStride floats from one B row to the next (n + both margins)
     * @param colOff element offset of B row 0's first real column (after its margin)
     */
    void col2imGather(MemorySegment cols, long colOff, long rowStride, MemorySegment dx, long dxImage) {
        int k = rowTap.length, lanes = S.length(), plane = h * w, channels = k / taps;
        int full = plane / lanes * lanes;
        for (int c = 0; c < channels; c++) {
            int r0 = c * taps;
            long dst = (dxImage + rowChannelOffset[r0]) * Float.BYTES;
            for (int i = 0; i < full; i += lanes) {
                FloatVector acc = FloatVector.zero(S);
                for (int t = 0; t < taps; t++) {
                    long src = colOff + (long) (r0 + t) * rowStride + i - rowShift[r0 + t];
                    acc = acc.add(FloatVector.fromMemorySegment(S, cols, src * Float.BYTES, LE));
                }
                acc.intoMemorySegment(dx, dst + (long) i * Float.BYTES, LE);
            }
            for (int i = full; i < plane; i++) { // the plane's last few pixels
                float acc = 0;
                for (int t = 0; t < taps; t++) {
                    acc += cols.getAtIndex(ValueLayout.JAVA_FLOAT, colOff + (long) (r0 + t) * rowStride + i - rowShift[r0 + t]);
                }
                dx.setAtIndex(ValueLayout.JAVA_FLOAT, dxImage + rowChannelOffset[r0] + i, acc);
            }
        }
    }

    /** Packs from the image at {@code imageOffset} (elements) of {@code x} from now on; not during a GEMM. */
    Im2colPacker point(MemorySegment x, long imageOffset) {
        this.x = x;
        this.imageOffset = imageOffset;
        return this;
    }

    @Override
    public void pack(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes) {
        if (linear) {
            packLinear(k0, kc, n0, nc, dst, dstOffsetBytes);
            return;
        }
        int panels = (nc + NR - 1) / NR;
        for (int panel = 0; panel < panels; panel++) {
            int colStart = n0 + panel * NR;
            int cols = Math.min(NR, Math.min(n, n0 + nc) - colStart);
            int firstRun = panelRuns[colStart / NR], lastRun = panelRuns[colStart / NR + 1];
            long panelBase = dstOffsetBytes + (long) panel * kc * NR * Float.BYTES;
            for (int kk = 0; kk < kc; kk++) {
                int r = k0 + kk;
                long rowBase = panelBase + (long) kk * NR * Float.BYTES;
                if (cols < NR) zero(dst, rowBase + (long) cols * Float.BYTES, NR - cols);
                long plane = imageOffset + rowChannelOffset[r];
                int dy = rowDy[r], dx = rowDx[r];
                for (int run = firstRun; run < lastRun; run++) {
                    int j = runJ[run];
                    if (j >= cols) break;
                    int len = Math.min(runLen[run], cols - j), ox = runOx[run];
                    int iy = ohTop[runOy[run]] + dy;
                    long at = rowBase + (long) j * Float.BYTES;
                    if (iy < 0 || iy >= h) {
                        zero(dst, at, len); // a padding row
                        continue;
                    }
                    long rowIn = plane + (long) iy * w;
                    if (strideW == 1) {
                        copyRun(rowIn, ox + dx, len, dst, at);
                    } else if (strideW == 2) {
                        zero(dst, at, len);
                        copyEvenRun(rowIn, ox, dx, len, dst, at);
                    } else {
                        for (int t = 0; t < len; t++) {
                            int ix = (ox + t) * strideW + dx;
                            float v = ix >= 0 && ix < w ? x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, rowIn + ix) : 0f;
                            dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at + (long) t * Float.BYTES, v);
                        }
                    }
                }
            }
        }
    }

    /**
     * The stride-1 linear path: per panel row, NR consecutive input floats ANDed with the
     * (panel, tap) lane mask from {@link #laneMasks} (the lanes of other rows, of padding and of
     * the wide layout's extra columns become +0), whole vectors throughout. A row whose load would
     * leave the segment (the first and last image's padding rows) or a panel cut short by {@code nc}
     * takes {@link #packLinearVector} per vector.
     */
    private void packLinear(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes) {
        int lanes = S.length();
        int panels = (nc + NR - 1) / NR;
        long limit = x.byteSize() - (long) NR * Float.BYTES;
        for (int panel = 0; panel < panels; panel++) {
            int colStart = n0 + panel * NR;
            int cols = Math.min(NR, Math.min(n, n0 + nc) - colStart);
            int keep = cols >= 32 ? -1 : (1 << cols) - 1;
            boolean whole = cols == NR || colStart + cols == n; // the table's masks end where B does
            int maskBase = (colStart / NR) * taps;
            long panelBase = dstOffsetBytes + (long) panel * kc * NR * Float.BYTES;
            for (int kk = 0; kk < kc; kk++) {
                int r = k0 + kk;
                int t = maskBase + rowTap[r];
                long src = (imageOffset + rowChannelOffset[r] + colStart + rowShift[r]) * Float.BYTES;
                long rowBase = panelBase + (long) kk * NR * Float.BYTES;
                if (whole && src >= 0 && src <= limit) {
                    int m = tapMaskAt[t];
                    for (int v = 0; v < NR; v += lanes) {
                        IntVector.fromMemorySegment(IS, x, src + (long) v * Float.BYTES, LE)
                                .and(IntVector.fromArray(IS, laneMasks, m + v))
                                .intoMemorySegment(dst, rowBase + (long) v * Float.BYTES, LE);
                    }
                    continue;
                }
                int bits = tapMasks[t] & keep;
                for (int v = 0; v < NR; v += lanes) packLinearVector(bits >>> v, src + (long) v * Float.BYTES, dst,
                        rowBase + (long) v * Float.BYTES);
            }
        }
    }

    /** One vector of a linear panel row: lane j from {@code x} at byte {@code at} if bit j is set, else 0. */
    private void packLinearVector(int bits, long at, MemorySegment dst, long dstAt) {
        int lanes = S.length();
        int vecBits = bits & ((1 << lanes) - 1);
        boolean inside = at >= 0 && at + (long) lanes * Float.BYTES <= x.byteSize();
        if (vecBits == 0) {
            IntVector.zero(IS).intoMemorySegment(dst, dstAt, LE);
            return;
        }
        // VectorMask.fromLong is not intrinsified here (it allocates): test lane bits. The int mask
        // is not cast to a float one either (that cast fell back to Java code, measured with JFR):
        // the floats move as ints, zeroed by an int blend, and a plain load is used wherever the
        // whole vector lies inside the image's segment.
        VectorMask<Integer> m = IntVector.broadcast(IS, vecBits).and(LANE_BIT).compare(VectorOperators.NE, 0);
        if (inside) {
            IntVector.zero(IS).blend(IntVector.fromMemorySegment(IS, x, at, LE), m).intoMemorySegment(dst, dstAt, LE);
        } else {
            IntVector.fromMemorySegment(IS, x, at, LE, m).intoMemorySegment(dst, dstAt, LE);
        }
    }

    private static void zero(MemorySegment dst, long at, int floats) {
        MemorySegment.copy(ZEROS, 0, dst, at, (long) floats * Float.BYTES);
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
        int t = first;
        // Whole vectors while both loads stay inside the row: no masks.
        for (; t + lanes <= end && 2 * (ox + t) + dx + 2 * lanes <= w; t += lanes) {
            long src = (rowIn + 2 * (ox + t) + dx) * Float.BYTES;
            FloatVector lo = FloatVector.fromMemorySegment(S, x, src, LE);
            FloatVector hi = FloatVector.fromMemorySegment(S, x, src + (long) lanes * Float.BYTES, LE);
            lo.rearrange(EVEN, hi).intoMemorySegment(dst, dstByte + (long) t * Float.BYTES, LE);
        }
        for (; t < end; t += lanes) {
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

    /** Copies input columns [ix0, ix0 + len) of one row, zeros where they fall outside [0, w). */
    private void copyRun(long rowIn, int ix0, int len, MemorySegment dst, long dstByte) {
        int skip = Math.min(len, Math.max(0, -ix0));      // leading padding
        int end = Math.max(skip, Math.min(len, w - ix0)); // columns before trailing padding
        if (skip > 0) zero(dst, dstByte, skip);
        if (end > skip) {
            MemorySegment.copy(x, (rowIn + ix0 + skip) * Float.BYTES, dst, dstByte + (long) skip * Float.BYTES,
                    (long) (end - skip) * Float.BYTES);
        }
        if (end < len) zero(dst, dstByte + (long) end * Float.BYTES, len - end);
    }
}
