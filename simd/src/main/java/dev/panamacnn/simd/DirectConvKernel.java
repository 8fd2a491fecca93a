package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.exec.ParallelTask;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.ConvTile7x32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct (implicit-GEMM) convolution with vectors along output channels, for ungrouped convs:
 * each image is copied once into a zero-padded plane, then {@link ConvTile7x32} computes 7
 * output pixels × 32 output channels per tile, broadcasting inputs straight from that plane.
 *
 * <p>It beats im2col + GEMM with vectors along pixels on k×k and strided convolutions: there is
 * no im2col copy (a gather for strided convs), no partly empty vectors on small feature maps
 * (7×7, 14×14), and the weights stream once per output row. Tiles collect one output row
 * pixel-major in a heap buffer; the row is then written to NCHW with 16-pixel vector gathers,
 * bias, residual and clamp applied on the way, so conv+BN+ReLU(+add) stays one pass.
 */
final class DirectConvKernel implements Kernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int MR = ConvTile7x32.MR, NR = ConvTile7x32.NR;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Gathers one output channel of 16 consecutive pixels from a pixel-major row (32 channels per pixel). */
    private static final int[] PIXEL_GATHER = new int[16];

    static {
        for (int i = 0; i < PIXEL_GATHER.length; i++) PIXEL_GATHER[i] = i * NR;
    }
    /** Below this many multiply-adds a conv runs on the caller's thread alone. */
    private static final long MIN_MACS_PER_TASK = 1L << 20;

    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment packed; // [panel][k][NR], output channels zero-padded to NR
    private final float[] bias;
    private final int[] kOffset; // byte offset of each (c, y, x) step in the padded plane
    private final int n, c, h, w, o, oh, ow, panels;
    private final int padTop, padLeft, hp, wp, strideH, strideW;
    private final float min, max;

    /** Whether this kernel can run {@code op} (ungrouped, 16-lane vectors, offsets within int). */
    static boolean supports(Ops.Conv op) {
        Conv2dSpec s = op.spec();
        long plane = (long) (op.input().dim(2) + s.padTop() + s.padBottom()) * (op.input().dim(3) + s.padLeft() + s.padRight());
        return s.groups() == 1 && ConvTile7x32.supported() && plane * op.input().dim(1) * Float.BYTES < Integer.MAX_VALUE;
    }

    DirectConvKernel(Ops.Conv op) {
        if (!supports(op)) throw new IllegalArgumentException("direct convolution cannot run " + op.spec());
        this.op = op;
        Conv2dSpec s = op.spec();
        Shape in = op.input(), out = op.output();
        n = in.dim(0);
        c = in.dim(1);
        h = in.dim(2);
        w = in.dim(3);
        o = out.dim(1);
        oh = out.dim(2);
        ow = out.dim(3);
        padTop = s.padTop();
        padLeft = s.padLeft();
        hp = h + s.padTop() + s.padBottom();
        wp = w + s.padLeft() + s.padRight();
        strideH = s.strideH();
        strideW = s.strideW();
        min = op.activation().min();
        max = op.activation().max();
        bias = op.bias().clone();
        int kh = s.kernelH(), kw = s.kernelW(), k = c * kh * kw;
        kOffset = new int[k];
        for (int ci = 0, i = 0; ci < c; ci++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    kOffset[i++] = (int) (((long) ci * hp * wp + (long) y * s.dilationH() * wp + (long) x * s.dilationW()) * Float.BYTES);
                }
            }
        }
        panels = (o + NR - 1) / NR;
        packed = arena.allocate((long) panels * k * NR * Float.BYTES, 64);
        float[] weight = op.weight();
        for (int oc = 0; oc < o; oc++) {
            long panelBase = (long) (oc / NR) * k * NR + oc % NR;
            for (int i = 0; i < k; i++) {
                packed.setAtIndex(ValueLayout.JAVA_FLOAT, panelBase + (long) i * NR, weight[oc * k + i]);
            }
        }
    }

    /** The padded planes, plus slack for the lanes a short last tile reads past its row (never stored). */
    private long paddedBytes() {
        return ((long) c * hp * wp + (long) MR * strideW) * Float.BYTES;
    }

    /** Floats in one pixel-major row buffer: whole tiles, rounded up to whole 16-pixel gathers. */
    private int rowFloats() {
        int tiles = (ow + MR - 1) / MR;
        return ((tiles * MR + 15) / 16 * 16) * NR;
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        // An unpadded conv reads its input where it lies, if the lanes a short last tile reads
        // past the input's end (never stored) still fall inside the workspace.
        long inputEnd = op.in().byteOffset() + (long) n * c * h * w * Float.BYTES;
        boolean inPlace = hp == h && wp == w && inputEnd + (long) MR * strideW * Float.BYTES <= ctx.workspace().byteSize();
        PaddedPlanes planes = null;
        if (!inPlace) {
            planes = ctx.resource(PaddedPlanes.class, PaddedPlanes::new);
            planes.reserve(paddedBytes());
        }
        return new Runner(ctx, planes);
    }

    private final class Runner implements Runnable {
        private final ExecutionContext ctx;
        private final PaddedPlanes planes; // null: read the input in place
        private final int units = panels * oh; // one unit: one output row of one channel panel
        private final int tasks;
        private final ParallelTask padTask, computeTask;
        private final float[][] rows; // per worker: one output row × 32 channels, pixel-major
        private final VectorMask<Float> tailMask = S.indexInRange(0, ow % 16 == 0 ? 16 : ow % 16);
        private MemorySegment padded;
        private long planeBase; // byte offset of the current image's (padded) planes in `padded`
        private int image;

        Runner(ExecutionContext ctx, PaddedPlanes planes) {
            this.ctx = ctx;
            this.planes = planes;
            long macs = (long) o * oh * ow * kOffset.length;
            int threads = ctx.pool().threads();
            tasks = (int) Math.max(1, Math.min(units, Math.min(macs / MIN_MACS_PER_TASK, 4L * threads)));
            rows = new float[threads][rowFloats()];
            padTask = (task, worker) -> pad(task * c / tasks, (task + 1) * c / tasks);
            computeTask = (task, worker) -> compute((int) ((long) task * units / tasks),
                    (int) ((long) (task + 1) * units / tasks), rows[worker]);
        }

        @Override
        public void run() {
            padded = planes == null ? ctx.workspace() : planes.segment();
            for (image = 0; image < n; image++) {
                planeBase = planes == null ? op.in().byteOffset() + (long) image * c * h * w * Float.BYTES : 0;
                if (tasks == 1) {
                    if (planes != null) pad(0, c);
                    compute(0, units, rows[0]);
                } else {
                    if (planes != null) ctx.pool().run(tasks, padTask);
                    ctx.pool().run(tasks, computeTask);
                }
            }
        }

        /** Copies input channels [from, to) of the current image into the padded planes, halo zeroed. */
        private void pad(int from, int to) {
            MemorySegment ws = ctx.workspace();
            long src = op.in().byteOffset() + ((long) image * c + from) * h * w * Float.BYTES;
            long rowBytes = (long) w * Float.BYTES;
            for (int ci = from; ci < to; ci++) {
                long dst = (long) ci * hp * wp * Float.BYTES;
                zero(padded, dst, (long) padTop * wp);
                for (int y = 0; y < h; y++) {
                    long rowDst = dst + ((long) (padTop + y) * wp) * Float.BYTES;
                    zero(padded, rowDst, padLeft);
                    MemorySegment.copy(ws, src, padded, rowDst + (long) padLeft * Float.BYTES, rowBytes);
                    zero(padded, rowDst + (long) (padLeft + w) * Float.BYTES, wp - padLeft - w);
                    src += rowBytes;
                }
                zero(padded, dst + (long) (padTop + h) * wp * Float.BYTES, (long) (hp - padTop - h) * wp);
            }
        }

        /** Units [from, to): unit u is output row u % oh of channel panel u / oh. */
        private void compute(int from, int to, float[] row) {
            long rowStep = (long) strideH * wp * Float.BYTES, colStep = (long) strideW * Float.BYTES;
            long panelBytes = (long) kOffset.length * NR * Float.BYTES;
            for (int u = from; u < to; u++) {
                int panel = u / oh, y = u % oh;
                long rowBase = planeBase + y * rowStep, wOff = panel * panelBytes;
                for (int x0 = 0; x0 < ow; x0 += MR) {
                    int r = Math.min(MR, ow - x0);
                    long p = rowBase + x0 * colStep;
                    int t = x0 * NR;
                    // Strides 1 and 2 address the 7 pixels as constant offsets from one base; a
                    // short last tile reads past its row into the padding or the slack (never stored).
                    if (strideW == 1) {
                        ConvTile7x32.runStride1(padded, p, kOffset, packed, wOff, row, t);
                    } else if (strideW == 2) {
                        ConvTile7x32.runStride2(padded, p, kOffset, packed, wOff, row, t);
                    } else { // other strides: a short last tile repeats its last pixel
                        ConvTile7x32.run(padded, p, p + Math.min(1, r - 1) * colStep, p + Math.min(2, r - 1) * colStep,
                                p + Math.min(3, r - 1) * colStep, p + Math.min(4, r - 1) * colStep,
                                p + Math.min(5, r - 1) * colStep, p + Math.min(6, r - 1) * colStep,
                                kOffset, packed, wOff, row, t);
                    }
                }
                storeRow(row, panel * NR, y);
            }
        }

        /**
         * Writes one pixel-major row (ow pixels × 32 channels) to NCHW: per channel, 16 pixels at a
         * time are gathered, given bias, residual and clamp, and stored as one vector.
         */
        private void storeRow(float[] row, int oc0, int y) {
            MemorySegment ws = ctx.workspace();
            long plane = (long) oh * ow * Float.BYTES;
            long image = (long) this.image * o * plane;
            long out = op.out().byteOffset() + image + (long) y * ow * Float.BYTES;
            long res = op.residual() == null ? -1 : op.residual().byteOffset() + image + (long) y * ow * Float.BYTES;
            FloatVector lo = FloatVector.broadcast(S, min), hi = FloatVector.broadcast(S, max);
            int ocEnd = Math.min(o, oc0 + NR), full = ow / 16 * 16;
            for (int oc = oc0; oc < ocEnd; oc++) {
                FloatVector b = FloatVector.broadcast(S, bias[oc]);
                long dst = out + oc * plane, rs = res + oc * plane;
                int j = oc - oc0;
                for (int x = 0; x < full; x += 16) {
                    FloatVector v = FloatVector.fromArray(S, row, x * NR + j, PIXEL_GATHER, 0).add(b);
                    long at = (long) x * Float.BYTES;
                    if (res >= 0) v = v.add(FloatVector.fromMemorySegment(S, ws, rs + at, NATIVE));
                    v = v.blend(lo, v.compare(VectorOperators.LE, lo)); // clamp by blends (see Vec)
                    v.blend(hi, v.compare(VectorOperators.GE, hi)).intoMemorySegment(ws, dst + at, NATIVE);
                }
                if (full < ow) {
                    FloatVector v = FloatVector.fromArray(S, row, full * NR + j, PIXEL_GATHER, 0).add(b);
                    long at = (long) full * Float.BYTES;
                    if (res >= 0) v = v.add(FloatVector.fromMemorySegment(S, ws, rs + at, NATIVE, tailMask));
                    v = v.blend(lo, v.compare(VectorOperators.LE, lo)); // clamp by blends (see Vec)
                    v.blend(hi, v.compare(VectorOperators.GE, hi)).intoMemorySegment(ws, dst + at, NATIVE, tailMask);
                }
            }
        }
    }

    private static void zero(MemorySegment s, long byteOffset, long floats) {
        for (long i = 0; i < floats; i++) s.set(FLOAT, byteOffset + i * Float.BYTES, 0f);
    }

    @Override
    public void close() {
        arena.close();
    }
}
