"""Writes simd/.../kernels/DepthwiseRowTiles.java: 3×3 depthwise rows, four output pixels a step.

    /usr/bin/python3 tools/codegen/depthwise_row_tiles.py

The four-pixel step is unrolled (four accumulators, one load per input column); each method
loops over the rows of a band and over the steps of a row. The last 0-3 columns of a row are
BlockedDepthwise.row3x3's, not a remainder loop here: with eight pixels a step a method went past
C2's inlining budget (see the class comment and Vec), so the methods stay small.
"""
import os

PIXELS = 4
WEIGHTS = [["w00", "w01", "w02"], ["w10", "w11", "w12"], ["w20", "w21", "w22"]]


def method(stride):
    name = f"stride{stride}"
    loads = (PIXELS - 1) * stride + 3  # input columns that four outputs' windows cover
    L = [f"    /**",
         f"     * Output columns [{{@code from}}, {{@code to}}) of {{@code rows}} 3×3 rows with stride {stride} and dilation",
         f"     * 1, four at a time; returns the first column not written (at most three short of {{@code to}}).",
         f"     * The window of output column ox starts at byte ox · {stride * 64} of the first row's input rows",
         f"     * {{@code ra}}, {{@code rb}}, {{@code rc}} (the rows' starts less the left padding); each next row",
         f"     * reads {{@code rowBytes}} further and writes {{@code outRowBytes}} further. The three kernel rows'",
         f"     * weights, at {{@code za}}, {{@code zb}}, {{@code zc}}, serve every row.",
         f"     */",
         f"    public static int {name}(MemorySegment ws, long ra, long rb, long rc, long rowBytes, long outRow, long outRowBytes,",
         f"            int rows, int from, int to, MemorySegment weights, long za, long zb, long zc, MemorySegment bias, long b,",
         f"            float lo, float hi) {{"]
    a = L.append
    for r, z in enumerate(["za", "zb", "zc"]):
        for k in range(3):
            off = "" if k == 0 else f" + {k} * V"
            a(f"        FloatVector {WEIGHTS[r][k]} = FloatVector.fromMemorySegment(S, weights, {z}{off}, NATIVE);")
    a("        FloatVector bv = FloatVector.fromMemorySegment(S, bias, b, NATIVE);")
    a("        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);")
    a("        int ox = from;")
    a("        for (int r = 0; r < rows; r++, ra += rowBytes, rb += rowBytes, rc += rowBytes, outRow += outRowBytes) {")
    a(f"            for (ox = from; ox + {PIXELS} <= to; ox += {PIXELS}) {{")
    a(f"                // Linear in ox with a constant scale: C2 hoists the bounds checks out of the loop.")
    a(f"                long x = ox * {stride * 64}L;")
    accs = ", ".join(f"a{p} = bv" for p in range(PIXELS))
    ins = ", ".join(f"i{j}" for j in range(loads))
    a(f"                FloatVector {accs}, {ins};")
    for r, base in enumerate(["ra", "rb", "rc"]):
        for j in range(loads):
            off = "" if j == 0 else f" + {j} * V"
            a(f"                i{j} = FloatVector.fromMemorySegment(S, ws, {base} + x{off}, NATIVE);")
        for k in range(3):
            for p in range(PIXELS):
                a(f"                a{p} = i{p * stride + k}.fma({WEIGHTS[r][k]}, a{p});")
    for p in range(PIXELS):
        off = "" if p == 0 else f" + {p} * V"
        a(f"                a{p} = a{p}.blend(vlo, a{p}.compare(LE, vlo));")
        a(f"                a{p}.blend(vhi, a{p}.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V{off}, NATIVE);")
    a("            }")
    a("        }")
    a("        return ox;")
    a("    }")
    return "\n".join(L)


HEAD = '''package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inside of a 3×3 depthwise row on a blocked tensor (see {@link BlockedDepthwise}), four
 * output pixels a step: four independent accumulator chains, the inputs of a kernel row loaded
 * once for all four (6 loads for 12 FMAs at stride 1, 9 at stride 2).
 *
 * <p>One pixel at a time, a pixel's nine dependent FMAs (4 cycles each here) bound the row:
 * about 22 cycles a pixel, and a bounds check per load besides, since the column offset was not
 * linear in the loop counter. Measured alone (blocked 3×3, ReLU6, 28² × 192 and 56² × 144
 * channels): 57 → 46 µs and 157 → 117 µs. Eight pixels a step went past C2's inlining budget
 * (every vector boxed, 40× slower).
 *
 * <p>Generated: edit {@code tools/codegen/depthwise_row_tiles.py}, not this file. Clamps are
 * blends (see {@link Vec}).
 */
public final class DepthwiseRowTiles {
    /** Output pixels per step. */
    public static final int PIXELS = ''' + str(PIXELS) + ''';

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long V = 64; // bytes per vector: 16 channels of one pixel
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private DepthwiseRowTiles() {}

'''

target = os.path.join(os.path.dirname(__file__), "../../simd/src/main/java/dev/panamacnn/simd/kernels/DepthwiseRowTiles.java")
with open(target, "w") as f:
    f.write(HEAD + "\n\n".join(method(s) for s in (1, 2)) + "\n}\n")
