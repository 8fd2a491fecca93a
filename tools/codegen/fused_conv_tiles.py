"""Writes simd/.../kernels/FusedConvTiles.java: the register-finished direct-convolution tiles.

    /usr/bin/python3 tools/codegen/fused_conv_tiles.py

Fully unrolled on purpose (see the class comment and gemm.MicroKernel); keep each method under
~1,400 bytecodes, or C1's tier-3 compile runs out of virtual registers (see the class comment).
"""
import os


def loop(L, step, blocks):
    """The reduction: accumulators c{pixel}{block} += input broadcast x packed weights."""
    a = L.append
    a("        long wp = wOff;")
    a("        for (int k = 0; k < kOffset.length; k++) {")
    a("            long q = p + kOffset[k];")
    if blocks == 1:
        a("            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);")
        for i in range(7):
            off = "" if i == 0 else f" + {i * step}"
            a(f"            c{i}0 = FloatVector.broadcast(S, in.get(FLOAT, q{off})).fma(w0, c{i}0);")
        a("            wp += VBYTES;")
    else:
        a("            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);")
        a("            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);")
        a("            FloatVector x;")
        for i in range(7):
            off = "" if i == 0 else f" + {i * step}"
            a(f"            x = FloatVector.broadcast(S, in.get(FLOAT, q{off}));")
            a(f"            c{i}0 = x.fma(w0, c{i}0); c{i}1 = x.fma(w1, c{i}1);")
        a("            wp += 2 * VBYTES;")
    a("        }")


def header(name, doc, params, tiles):
    """Javadoc and signature; with tiles the method takes a count of adjacent tiles first."""
    head = [f"    /** {doc} */"] if isinstance(doc, str) else ["    /**"] + [f"     * {line}" for line in doc] + ["     */"]
    first = "int tiles, MemorySegment in, long p0" if tiles else "MemorySegment in, long p"
    return head + [f"    public static void {name}({first}, int[] kOffset, MemorySegment w, long wOff,",
                   params.replace("long o,", "long o0,") if tiles else params]


def method(L, body, tiles):
    """Closes the method around body; with tiles, body repeats for each tile, 7 pixels further each."""
    if tiles:
        L += ["        for (int t = 0; t < tiles; t++) {",
              "            long p = p0 + t * TILE_BYTES, o = o0 + t * TILE_BYTES;"]
        L += ["    " + line for line in body]
        L.append("        }")
    else:
        L += body
    L.append("    }")
    return "\n".join(L)


def two_blocks(name, step, doc, tiles=False):
    """7 pixels x 2 blocks from the bias, clamped to [lo, hi], stored to out at o (+ blockBytes)."""
    L = header(name, doc, "            MemorySegment out, long o, long blockBytes,\n"
               "            MemorySegment bias, long bOff, float lo, float hi) {", tiles)
    B = ["        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);",
         "        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);"]
    B += [f"        FloatVector c{i}0 = b0, c{i}1 = b1;" for i in range(7)]
    loop(B, step, 2)
    B.append("        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);")
    B.append("        long o1 = o + blockBytes;")
    for i in range(7):
        for j in range(2):
            c, base, off = f"c{i}{j}", "o" if j == 0 else "o1", "" if i == 0 else f" + {i * 64}"
            B.append(f"        {c} = {c}.blend(vlo, {c}.compare(LE, vlo));")
            B.append(f"        {c}.blend(vhi, {c}.compare(GE, vhi)).intoMemorySegment(out, {base}{off}, NATIVE);")
    return method(L, B, tiles)


def one_block(name, step, doc, tiles=False):
    """As two_blocks for one block of 16 output channels (7 accumulators)."""
    L = header(name, doc, "            MemorySegment out, long o, MemorySegment bias, long bOff, float lo, float hi) {", tiles)
    B = ["        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);",
         "        FloatVector " + ", ".join(f"c{i}0 = b0" for i in range(7)) + ";"]
    loop(B, step, 1)
    B.append("        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);")
    for i in range(7):
        c, off = f"c{i}0", "" if i == 0 else f" + {i * 64}"
        B.append(f"        {c} = {c}.blend(vlo, {c}.compare(LE, vlo));")
        B.append(f"        {c}.blend(vhi, {c}.compare(GE, vhi)).intoMemorySegment(out, o{off}, NATIVE);")
    return method(L, B, tiles)


def residual_floor(name, step, doc):
    """As two_blocks plus the residual at r in out, clamped from below only (small enough for C1)."""
    L = ["    /**"] + [f"     * {line}" for line in doc] + ["     */",
         f"    public static void {name}(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,",
         "            MemorySegment out, long o, long blockBytes, long r, MemorySegment bias, long bOff, float lo) {",
         "        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);",
         "        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);"]
    L += [f"        FloatVector c{i}0 = b0, c{i}1 = b1;" for i in range(7)]
    loop(L, step, 2)
    L.append("        FloatVector vlo = FloatVector.broadcast(S, lo);")
    L.append("        long o1 = o + blockBytes, r1 = r + blockBytes;")
    for i in range(7):
        for j in range(2):
            c, sfx, off = f"c{i}{j}", "" if j == 0 else "1", "" if i == 0 else f" + {i * 64}"
            L.append(f"        {c} = {c}.add(FloatVector.fromMemorySegment(S, out, r{sfx}{off}, NATIVE));")
            L.append(f"        {c}.blend(vlo, {c}.compare(LE, vlo)).intoMemorySegment(out, o{sfx}{off}, NATIVE);")
    L.append("    }")
    return "\n".join(L)


HEAD = '''package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whole tiles of direct convolution into a blocked output (NCHW16c) that finish their own
 * outputs: 7 output pixels × 32 output channels (two blocks, 14 accumulators; one block for a
 * 1×1 layer's 16-channel panel), the accumulators starting from the bias and ending clamped and
 * stored straight into the output. The reduction is the one {@link BlockedConvTiles} documents;
 * what differs is that no raw sum makes a round trip through a heap tile and a separate
 * epilogue, which cost a 1×1 layer with 16 inputs about a fifth of its time (measured in
 * isolation: 38.6 against 30.2 µs).
 *
 * <p>A residual is added only by {@link #step64ResidualFloor}, for layers clamped from below
 * only (ReLU); other layers with a residual, partial tiles and the other 16-channel panels stay
 * with {@link BlockedConvTiles}. The residual's 14 vector loads next to a two-sided clamp made a
 * tile too big for C1: its tier-3 compile failed ("out of virtual registers in linear scan"),
 * the method stayed in tier-2 code with every vector boxed and the model ran 60× slower. Each
 * vector operation on a segment also costs C2 400–600 nodes of its inlining budget (see {@link
 * Vec}).
 *
 * <p>One method per pixel step, the 7 pixels as constant displacements from one base (as in
 * {@link BlockedConvTiles}); the 1×1 stride-1 layers have their own copy so that C2 profiles
 * them apart from the 3×3 layers, whose reductions are 10–100× longer. Fully unrolled for the
 * reasons in {@code gemm.MicroKernel}, and generated: edit {@code
 * tools/codegen/fused_conv_tiles.py}, not this file. Clamps are blends (see {@link Vec}).
 */
public final class FusedConvTiles {
    /** Output pixels per tile. */
    public static final int PIXELS = 7;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Bytes from one flat tile's first pixel to the next tile's (7 blocked pixels). */
    private static final long TILE_BYTES = PIXELS * 64L;

    private FusedConvTiles() {}

'''

methods = [
    two_blocks("flat", 64, [
        "{@code tiles} tiles of a 1×1 stride-1 convolution's flat row (blocked input, pixels 64 bytes",
        "apart), each 7 pixels after the last. With one call per tile, MobileNetV2's 16-input expansion",
        "(features.2.0) took 540 instead of 523 µs (per-layer medians of 5 processes each)."], tiles=True),
    one_block("flat16", 64, "As {@link #flat} for a panel of one block (16 output channels, 7 accumulators).", tiles=True),
    two_blocks("step64", 64, "7 pixels of a blocked input 64 bytes apart (stride 1), any kernel size."),
    residual_floor("step64ResidualFloor", 64, [
        "As {@link #step64} for a layer whose output adds a residual at {@code r} in {@code out}",
        "(laid out as the output) and is clamped from below only (ReLU: a ResNet block's second",
        "convolution)."]),
    two_blocks("step128", 128, "7 pixels of a blocked input 128 bytes apart (stride 2)."),
    two_blocks("step8", 8, "7 pixels of an NCHW input 8 bytes apart (stride 2: a network's stem)."),
]
target = os.path.join(os.path.dirname(__file__), "../../simd/src/main/java/dev/panamacnn/simd/kernels/FusedConvTiles.java")
with open(target, "w") as f:
    f.write(HEAD + "\n\n".join(methods) + "\n}\n")
