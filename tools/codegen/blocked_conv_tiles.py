def tile(blocks, const=None, name=None):
    name = name or f"tile7x{16*blocks}" + (f"Step{const}" if const else "")
    L = []
    a = L.append
    if const and name.endswith("Flat"):
        a("    /**")
        a("     * As {@link #tile7x32Step64} for the flat pixels of a 1×1 stride-1 convolution. The same code")
        a("     * under its own name: shared with 3×3 layers, whose reductions are 10–100× longer, the one")
        a("     * method was recompiled by C2 inside the test suite with its vector operations left as")
        a("     * calls (seen with JFR); separate methods keep separate profiles.")
        a("     */")
        a(f"    public static void {name}(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,")
    elif const:
        a(f"    /** As {{@link #tile7x{16*blocks}}} for 7 pixels {const} bytes apart, addressed as constant displacements from one base. */")
        a(f"    public static void {name}(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,")
    else:
        a(f"    /** As {{@link #tile7x32}} for one block of 16 output channels (weights in rows of 16). */" if blocks==1 else "")
        a(f"    public static void {name}(MemorySegment in, long p, long step, int[] kOffset, MemorySegment w, long wOff,")
    a("                                 float[] tile, int t" + ("" if const else ", int count") + ") {")
    if const:
        a("        int count = 7;")
    else:
        for i in range(7):
            a(f"        long p{i} = p + Math.min({i}, count - 1) * step;")
    for i in range(7):
        a("        " + " ".join(f"FloatVector c{i}{j} = FloatVector.zero(S);" for j in range(blocks)))
    a("        long wp = wOff;")
    a("        for (int k = 0; k < kOffset.length; k++) {")
    a("            long q = " + ("p + " if const else "") + "kOffset[k];")
    for j in range(blocks):
        a(f"            FloatVector w{j} = FloatVector.fromMemorySegment(S, w, wp{'' if j==0 else ' + '+str(j)+' * VBYTES'}, NATIVE);")
    a("            FloatVector x;")
    for i in range(7):
        a(f"            x = FloatVector.broadcast(S, in.get(FLOAT, " + (f"q + {i * const}" if const else f"p{i} + q") + "));")
        a("            " + " ".join(f"c{i}{j} = x.fma(w{j}, c{i}{j});" for j in range(blocks)))
    a(f"            wp += {blocks} * VBYTES;")
    a("        }")
    for i in range(7):
        ind = "        "
        if i > 0:
            a(f"        if (count > {i}) {{")
            ind = "            "
        for j in range(blocks):
            a(f"{ind}c{i}{j}.intoArray(tile, t + {i * 16 * blocks + 16 * j});")
        if i > 0:
            a("        }")
    a("    }")
    return "\n".join(x for x in L if x != "")

head = '''package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Micro-kernels of direct convolution into a blocked output (NCHW16c, see
 * {@code core.plan.ChannelLayout}): up to 7 output pixels × 32 (or 16) output channels, 14 (7)
 * accumulators. Per reduction step k — one (input channel, kernel row, kernel column) — they load
 * the step's packed weights (one vector per output block), broadcast each pixel's input value
 * from {@code in} at its pixel base + {@code kOffset[k]}, and issue one FMA per accumulator.
 * Input layout and padding live entirely in {@code kOffset} and {@code step}, so the same code
 * reads an NCHW image, a blocked tensor in place, or a zero-padded copy of either.
 *
 * <p>The raw sums go to a heap tile, pixel-major; {@link #epilogue} then adds bias and residual,
 * clamps, and writes a whole row of tiles to the blocked output. These serve what {@link
 * FusedConvTiles} (whole tiles that finish their outputs in registers) does not: short tiles,
 * 16-channel panels, residual layers with a two-sided clamp. A fused tile with the residual and
 * both clamps inside is too big for C1 (see {@link FusedConvTiles}); an earlier fused attempt,
 * before the process had a single vector species (see {@link Vec}), compiled boxed inside the
 * test suite. Only the first {@code count} pixels are stored;
 * the others repeat the last pixel's address, so a short tile never reads past its input.
 * Generated-style code, fully unrolled by hand for the reasons in {@code gemm.MicroKernel}
 * (a helper taking the accumulators would box them); clamps are blends (see {@link Vec}).
 */
public final class BlockedConvTiles {
    /** Output pixels per tile. */
    public static final int PIXELS = 7;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private BlockedConvTiles() {}

    /** Whether these kernels run natively here (they need 16 float lanes). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() == 16;
    }

    /**
     * Pixels i &lt; {@code count} (≤ 7) at input byte offsets {@code p + i·step}, two output
     * blocks: weights are {@code kOffset.length} rows of 32 floats from byte {@code wOff}; raw
     * sums to {@code tile} from {@code t}, 32 floats per pixel. Offsets are in bytes.
     */
'''
epi = """
    /**
     * Writes {@code count} pixels of raw sums from {@code tile} (pixel-major, {@code 16·blocks}
     * floats per pixel, as the tiles store them) to {@code blocks} output blocks at {@code o} in
     * {@code ws}, adding bias (from {@code bOff}) and residual (at {@code r}; none when negative)
     * and clamping on the way.
     */
    public static void epilogue(float[] tile, MemorySegment ws, long o, long r, long blockBytes, MemorySegment bias,
                                long bOff, int count, int blocks, float lo, float hi) {
        for (int j = 0; j < blocks; j++) {
            long at = o + j * blockBytes, bj = bOff + j * VBYTES;
            if (r >= 0) epilogueWithResidual(tile, j * 16, blocks * 16, ws, at, r + j * blockBytes, bias, bj, count, lo, hi);
            else epilogue(tile, j * 16, blocks * 16, ws, at, bias, bj, count, lo, hi);
        }
    }

    // With and without a residual as separate loops: a vector merged from two branches was
    // materialised (see Vec).

    private static void epilogue(float[] tile, int t, int pitch, MemorySegment ws, long at, MemorySegment bias, long bOff,
                                 int count, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        for (int i = 0; i < count; i++, at += VBYTES, t += pitch) {
            FloatVector v = FloatVector.fromArray(S, tile, t).add(b);
            v = v.blend(vlo, v.compare(LE, vlo));
            v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(ws, at, NATIVE);
        }
    }

    private static void epilogueWithResidual(float[] tile, int t, int pitch, MemorySegment ws, long at, long res,
                                             MemorySegment bias, long bOff, int count, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        for (int i = 0; i < count; i++, at += VBYTES, res += VBYTES, t += pitch) {
            FloatVector v = FloatVector.fromArray(S, tile, t).add(b).add(FloatVector.fromMemorySegment(S, ws, res, NATIVE));
            v = v.blend(vlo, v.compare(LE, vlo));
            v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(ws, at, NATIVE);
        }
    }
"""
body = head + tile(2) + "\n\n" + tile(1) + "\n\n" + tile(2, 64) + "\n\n" + tile(2, 64, "tile7x32Flat") + "\n" + epi + "}\n"
body = body.replace("S == null ? null : ws", "ws")
open(__import__("os").path.join(__import__("os").path.dirname(__file__), "../../simd/src/main/java/dev/panamacnn/simd/kernels/BlockedConvTiles.java"),"w").write(body)
