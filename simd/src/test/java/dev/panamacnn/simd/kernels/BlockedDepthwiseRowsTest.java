package dev.panamacnn.simd.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockedDepthwise#rows} with a 3×3 kernel, every plane 1–8 × 1–12, padding 0–2 on each side,
 * strides and dilations 1–2, and every row range [from, to): the rows in the range equal a scalar
 * reference, the rows outside it keep their sentinel (a band must stop at {@code to}, even though
 * the thread owning the next rows would write the same values), nothing around the output plane is
 * written, and the input plane is framed by NaN, so a read outside it (even under zero taps) shows.
 */
class BlockedDepthwiseRowsTest {
    private static final long V = 64;
    private static final int GUARD = 8; // pixels of NaN around the input plane and the output plane
    private static final float SENTINEL = 12345f;

    @Test
    void everyRowRangeOfEverySmallPlane() {
        Assumptions.assumeTrue(BlockedConvTiles.supported(), "512-bit vectors");
        Random rnd = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment weights = arena.allocate(12 * V, 64), bias = arena.allocate(V, 64); // 9 taps + 3 zero taps
            // One workspace for every case: the largest input plane (8 × 12), the largest output
            // plane (10 × 14, padding 2 on every side at stride 1) and three guards.
            MemorySegment ws = arena.allocate((3L * GUARD + 8 * 12 + 10 * 14) * V, 64);
            float[] wt = new float[9 * 16], bs = new float[16];
            for (int i = 0; i < wt.length; i++) weights.setAtIndex(ValueLayout.JAVA_FLOAT, i, wt[i] = rnd.nextFloat() * 2 - 1);
            for (int i = 0; i < 16; i++) bias.setAtIndex(ValueLayout.JAVA_FLOAT, i, bs[i] = rnd.nextFloat() - 0.5f);
            for (int h = 1; h <= 8; h++) for (int w = 1; w <= 12; w++)
            for (int pads = 0; pads < 81; pads++) for (int sd = 0; sd < 16; sd++) {
                int pt = pads % 3, pl = pads / 3 % 3, pb = pads / 9 % 3, pr = pads / 27;
                int sh = 1 + (sd & 1), sw = 1 + (sd >> 1 & 1), dh = 1 + (sd >> 2 & 1), dw = 1 + (sd >> 3);
                if (h + pt + pb < 2 * dh + 1 || w + pl + pr < 2 * dw + 1) continue;
                Conv2dSpec s = Conv2dSpec.of(3).stride(sh, sw).padding(pt, pl, pb, pr).dilation(dh, dw).groups(16);
                int oh = (h + pt + pb - 2 * dh - 1) / sh + 1, ow = (w + pl + pr - 2 * dw - 1) / sw + 1;
                float[] in = new float[h * w * 16], ref = new float[oh * ow * 16];
                for (int i = 0; i < in.length; i++) in[i] = rnd.nextFloat() * 2 - 1;
                for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) for (int c = 0; c < 16; c++) {
                    double acc = bs[c];
                    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
                        int y = oy * sh - pt + i * dh, x = ox * sw - pl + j * dw;
                        if (y >= 0 && y < h && x >= 0 && x < w) acc += (double) in[(y * w + x) * 16 + c] * wt[(i * 3 + j) * 16 + c];
                    }
                    ref[(oy * ow + ox) * 16 + c] = (float) acc;
                }
                long inAt = GUARD * V, outAt = inAt + (h * w + GUARD) * V, outEnd = outAt + oh * ow * V;
                ws.asSlice(0, outEnd + GUARD * V).fill((byte) 0xff); // all bits set: a NaN in every float
                MemorySegment.copy(in, 0, ws, ValueLayout.JAVA_FLOAT, inAt, in.length);
                for (int from = 0; from < oh; from++) for (int to = from + 1; to <= oh; to++) {
                    ws.asSlice(outAt, outEnd - outAt).elements(ValueLayout.JAVA_FLOAT).forEach(e -> e.set(ValueLayout.JAVA_FLOAT, 0, SENTINEL));
                    BlockedDepthwise.rows(ws, inAt, outAt, weights, 0, 9 * V, bias, 0, h, w, ow, s, from, to, -1e30f, 1e30f);
                    for (int i = 0; i < ref.length; i++) {
                        int row = i / 16 / ow;
                        float got = ws.get(ValueLayout.JAVA_FLOAT, outAt + 4L * i), want = row >= from && row < to ? ref[i] : SENTINEL;
                        if (!(Math.abs(got - want) <= 1e-5f * (1 + Math.abs(want)))) {
                            fail(h + "×" + w + " " + s + " rows [" + from + ", " + to + "): pixel " + i / 16 + " channel " + i % 16
                                    + " is " + got + ", expected " + want);
                        }
                    }
                    for (long g = 0; g < GUARD * V; g += 4) {
                        if (!Float.isNaN(ws.get(ValueLayout.JAVA_FLOAT, outAt - GUARD * V + g))
                                || !Float.isNaN(ws.get(ValueLayout.JAVA_FLOAT, outEnd + g))) {
                            fail(h + "×" + w + " " + s + " rows [" + from + ", " + to + "): wrote outside the output plane");
                        }
                    }
                }
            }
        }
    }
}
