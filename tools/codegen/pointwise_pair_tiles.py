"""Writes simd/.../kernels/PointwisePairTiles.java: 1x1 tiles for a last panel of 8, 16 or 24 channels.

    /usr/bin/python3 tools/codegen/pointwise_pair_tiles.py

Fully unrolled on purpose (see FusedConvTiles and gemm.MicroKernel); keep each method under
~1,400 bytecodes (javap -c), or C1's tier-3 compile runs out of virtual registers.
"""
import os

# Pixels per tile for 1, 2 and 3 half-blocks: at least 8 accumulators, at most 14; with 21 (7 × 3)
# C2 ran out of inlining budget in some processes and left the 64-bit broadcasts as calls.
PIXELS = {1: 8, 2: 7, 3: 4}


def method(halves, residual):
    name = f"pairs{halves}" + ("Residual" if residual else "")
    px = PIXELS[halves]
    channels = 8 * halves
    doc = [f"{{@code tiles}} tiles of {px} pixels of a 1×1 stride-1 layer's last {channels} output channels",
           f"({halves} half-block{'s' if halves > 1 else ''}, {px * halves} accumulators)"
           + (", plus the residual at {@code r0} in {@code out}." if residual else ".")]
    L = ["    /**"] + [f"     * {line}" for line in doc] + ["     */",
         f"    public static void {name}(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,",
         "            MemorySegment out, long o0, long blockBytes, " + ("long r0, " if residual else "")
         + "MemorySegment bias, long bOff, float lo, float hi,",
         "            MemorySegment sums, long s) {",
         "        for (int t = 0; t < tiles; t++) {",
         f"            long p = p0 + t * {px * 64}L, o = o0 + t * {px * 64}L" + (f", r = r0 + t * {px * 64}L;" if residual else ";"),
         "            FloatVector z = FloatVector.zero(S);"]
    for i in range(px):
        L.append("            FloatVector " + ", ".join(f"c{i}{h} = z" for h in range(halves)) + ";")
    L += ["            long wp = wOff;",
          "            for (int k = 0; k < kOffset.length; k += 2) {",
          "                long q = p + kOffset[k];"]
    for h in range(halves):
        off = "" if h == 0 else f" + {h} * VBYTES"
        L.append(f"                FloatVector w{h} = FloatVector.fromMemorySegment(S, w, wp{off}, NATIVE);")
    L.append("                FloatVector x;")
    for i in range(px):
        off = "" if i == 0 else f" + {i * 64}"
        L.append(f"                x = DoubleVector.broadcast(D, in.get(PAIR, q{off})).reinterpretAsFloats();")
        L.append("                " + " ".join(f"c{i}{h} = x.fma(w{h}, c{i}{h});" for h in range(halves)))
    L += [f"                wp += {halves} * VBYTES;",
          "            }"]
    for i in range(px):
        L += [f"            c{i}{h}.intoMemorySegment(sums, s + {(i * halves + h) * 64}, NATIVE);" for h in range(halves)]
    L += ["            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);"]
    if halves == 3:
        L.append("            FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);")
    L += [
          "            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);",
          f"            for (int i = 0; i < {px}; i++) {{",
          f"                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * {halves * 64}L, NATIVE);"]
    second = "z"
    if halves >= 2:
        second = "b"
        L.append(f"                FloatVector b = FloatVector.fromMemorySegment(S, sums, s + i * {halves * 64}L + 64, NATIVE);")
    L += [f"                FloatVector v = Vec.EVEN.selectFrom(a, {second}).add(Vec.ODD.selectFrom(a, {second})).add(b0);"]
    if residual:
        L.append("                v = v.add(FloatVector.fromMemorySegment(S, out, r + i * 64L, NATIVE));")
    L += ["                v = v.blend(vlo, v.compare(LE, vlo));",
          "                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);"]
    if halves == 3:
        L += [f"                a = FloatVector.fromMemorySegment(S, sums, s + i * {halves * 64}L + 128, NATIVE);",
              "                v = Vec.EVEN.selectFrom(a, z).add(Vec.ODD.selectFrom(a, z)).add(b1);"]
        if residual:
            L.append("                v = v.add(FloatVector.fromMemorySegment(S, out, r + blockBytes + i * 64L, NATIVE));")
        L += ["                v = v.blend(vlo, v.compare(LE, vlo));",
              "                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + blockBytes + i * 64L, NATIVE);"]
    L.append("            }")
    L += ["        }", "    }"]
    return "\n".join(L)


HEAD = '''package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Tiles of a 1×1 stride-1 convolution for a last output panel of at most 24 channels (for
 * example MobileNetV2's 16- and 24-channel projections), reading two input channels per step.
 *
 * <p>The panel's outputs are computed in half-blocks of 8 channels. One 64-bit broadcast puts an
 * adjacent pair of a pixel's input channels (ci, ci + 1; adjacent in a blocked input) in every
 * lane pair, and the weights of a step are packed to match, lane 2j + e holding the weight of
 * input ci + e for output j of the half-block (see {@link #pack}). Every FMA so does the work of
 * a whole 16-channel one: a 16-channel panel costs half a broadcast per FMA instead of one (the
 * broadcasts bound {@link FusedConvTiles#flat16}: 81.7 against 109.8 GFLOP/s here on a 256-input
 * reduction in L1, {@code benchmarks.PointwiseTileRuns 12544 256 16 [pairs]}), and a 24-channel
 * panel computes 24 channels, not 32 (3136 pixels, 96 inputs: 151 against 177 µs).
 *
 * <p>At the end of a tile the raw sums go through a small scratch area ({@code sums}, 64-byte
 * aligned, 896 bytes at most) to a loop that adds each output vector's even lanes to its odd ones
 * (two two-vector permutes and an add), then bias, residual and clamp as in {@link
 * FusedConvTiles}. Finished in registers, the 14 or 21 output vectors made the methods too big
 * for C1 ("out of virtual registers"; MobileNetV2 then ran 8× slower). Tiles are kept at 8 to 14
 * accumulators: with 21 (7 pixels × 3 half-blocks) C2 ran out of inlining budget in some
 * processes, left some 64-bit broadcasts as calls into the Java fallback and ran the layer 5×
 * slower. {@code DoubleVector} serves only that 64-bit broadcast, reinterpreted as floats at
 * once.
 *
 * <p>The reduction runs over pairs, so the input channel count must be even. Generated: edit
 * {@code tools/codegen/pointwise_pair_tiles.py}, not this file. Clamps are blends (see {@link
 * Vec}).
 */
public final class PointwisePairTiles {
    private static final VectorSpecies<Float> S = Vec.F;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Two adjacent floats read as one 64-bit lane. */
    private static final ValueLayout.OfDouble PAIR = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private PointwisePairTiles() {}

    /** Whether these kernels run natively here (they need 16 float lanes). */
    public static boolean supported() {
        return S.length() == 16;
    }

    /** Pixels per tile of the methods for {@code halves} half-blocks. */
    public static int pixels(int halves) {
        return switch (halves) {
            case 1 -> 8;
            case 2 -> 7;
            case 3 -> 4;
            default -> throw new IllegalArgumentException("1 to 3 half-blocks, got " + halves);
        };
    }

    /** Half-blocks of 8 output channels that {@code channels} (1 to 24) need. */
    public static int halves(int channels) {
        if (channels < 1 || channels > 24) throw new IllegalArgumentException("a pair panel has 1 to 24 channels, got " + channels);
        return (channels + 7) / 8;
    }

    /**
     * Packs the weights of output channels [first, first + channels) for the tiles from a 1×1
     * layer's weights {@code weight[o · inputs + i]}: {@code inputs / 2} steps (inputs even) of
     * {@code halves(channels)} vectors from byte {@code at} of {@code dst}, zero past the last
     * channel.
     */
    public static void pack(float[] weight, int first, int channels, int inputs, MemorySegment dst, long at) {
        if (inputs % 2 != 0) throw new IllegalArgumentException("pair tiles need an even input channel count, got " + inputs);
        int halves = halves(channels);
        for (int step = 0; step < inputs / 2; step++) {
            for (int h = 0; h < halves; h++) {
                for (int lane = 0; lane < 16; lane++) {
                    int o = 8 * h + lane / 2, i = 2 * step + lane % 2;
                    float value = o < channels ? weight[(first + o) * inputs + i] : 0f;
                    dst.set(ValueLayout.JAVA_FLOAT, at + (((long) step * halves + h) * 16 + lane) * Float.BYTES, value);
                }
            }
        }
    }

'''


def main():
    methods = [method(h, r) for h in (1, 2, 3) for r in (False, True)]
    target = os.path.join(os.path.dirname(__file__),
                          "../../simd/src/main/java/dev/panamacnn/simd/kernels/PointwisePairTiles.java")
    with open(target, "w") as f:
        f.write(HEAD + "\n\n".join(methods) + "\n}\n")


main()
