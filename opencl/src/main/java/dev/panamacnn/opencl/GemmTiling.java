package dev.panamacnn.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiling of the implicit-GEMM kernel ({@code gemm.cl}): a {@code tileM × tileN} output tile per
 * work-group, the reduction in steps of {@code tileK} staged through local memory, and
 * {@code workM × workN} outputs per work-item accumulated in registers. Chosen per device from
 * its limits, never per vendor: see {@link #usable} and {@link #choose}.
 */
record GemmTiling(int tileM, int tileN, int tileK, int workM, int workN) {

    /** System property forcing one tiling, e.g. {@code 64x64x16/4x4}, for measurements. */
    static final String PROPERTY = "panamacnn.opencl.gemm";

    /** Largest first. The largest suit big GPUs; the small ones devices with small work-groups. */
    static final List<GemmTiling> CANDIDATES = List.of(
            new GemmTiling(128, 64, 16, 8, 4),
            new GemmTiling(64, 64, 16, 4, 4),
            new GemmTiling(32, 32, 16, 4, 4),
            new GemmTiling(16, 16, 16, 2, 2),
            new GemmTiling(8, 8, 8, 2, 2));

    GemmTiling {
        if (tileM % workM != 0 || tileN % workN != 0) {
            throw new IllegalArgumentException("tile " + tileM + "x" + tileN + " is not a multiple of the per-work-item block " + workM + "x" + workN);
        }
        int threads = (tileM / workM) * (tileN / workN);
        // Each pass of the tile loads covers whole rows: threads must be a multiple of each tile
        // width, and the passes must cover tileK exactly.
        if (threads % tileM != 0 || threads % tileN != 0 || tileK % (threads / tileM) != 0 || tileK % (threads / tileN) != 0) {
            throw new IllegalArgumentException("tiling " + this + " does not split into whole load passes"
                    + " (" + threads + " work-items)");
        }
    }

    int threadsM() {
        return tileM / workM;
    }

    int threadsN() {
        return tileN / workN;
    }

    int threads() {
        return threadsM() * threadsN();
    }

    long localBytes() {
        return (long) Float.BYTES * tileK * (tileM + tileN);
    }

    /**
     * The source header {@code gemm.cl} expects: the tile sizes, and the register block unrolled
     * into scalars {@code a_i_j} (a private array live across barriers stays in memory on CPU
     * drivers), gathered back into an array only for the epilogue.
     */
    String header() {
        StringBuilder decl = new StringBuilder("float"), step = new StringBuilder("{"), array = new StringBuilder("{");
        for (int i = 0; i < workM; i++) step.append(" const float x").append(i).append(" = As[k][ly + ").append(i).append(" * RTS_M];");
        for (int j = 0; j < workN; j++) step.append(" const float y").append(j).append(" = Bs[k][lx + ").append(j).append(" * RTS_N];");
        for (int i = 0; i < workM; i++) {
            array.append(i == 0 ? "{" : ", {");
            for (int j = 0; j < workN; j++) {
                String a = "a_" + i + "_" + j;
                decl.append(i + j == 0 ? " " : ", ").append(a).append(" = 0.0f");
                step.append(' ').append(a).append(" += x").append(i).append(" * y").append(j).append(';');
                array.append(j == 0 ? "" : ", ").append(a);
            }
            array.append('}');
        }
        return "#define TS_M " + tileM + "\n#define TS_N " + tileN + "\n#define TS_K " + tileK
                + "\n#define WPT_M " + workM + "\n#define WPT_N " + workN
                + "\n#define ACC_DECL " + decl + ";\n#define ACC_STEP(k) " + step + " }\n#define ACC_ARRAY " + array + "}\n";
    }

    /** Work-groups for an {@code m × n} product per group, {@code groups} groups. */
    long workGroups(int m, int n, int groups) {
        return (long) ceilDiv(m, tileM) * ceilDiv(n, tileN) * groups;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * The candidates this device can run: work-group size, per-dimension item sizes and half its
     * local memory. Where local memory is emulated (a CPU running each work-group as a loop
     * vectorised across work-items) every accumulator takes a vector register, so blocks stay at
     * 16 (a 32-accumulator block spilled and ran 1.3x slower on PoCL/AVX-512).
     */
    static List<GemmTiling> usable(OpenClDevice d) {
        List<GemmTiling> out = new ArrayList<>();
        for (GemmTiling t : CANDIDATES) {
            if (t.threads() <= d.maxWorkGroupSize() && t.threadsN() <= d.maxWorkItemSizes().get(0)
                    && t.threadsM() <= d.maxWorkItemSizes().get(1) && t.localBytes() <= d.localMemBytes() / 2
                    && (d.localMemDedicated() || t.workM() * t.workN() <= 16)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * For one product: the largest tiling that still gives every compute unit a work-group, else
     * (a small layer) the one with the most work-groups. Tilings of fewer than 64 work-items
     * (they leave a GPU's wide schedulers half idle) are considered only when nothing else runs.
     */
    static GemmTiling choose(List<GemmTiling> usable, int m, int n, int groups, int computeUnits) {
        if (usable.isEmpty()) throw new IllegalArgumentException("no usable GEMM tiling");
        List<GemmTiling> wide = usable.stream().filter(t -> t.threads() >= 64).toList();
        List<GemmTiling> pool = wide.isEmpty() ? usable : wide;
        GemmTiling most = pool.getFirst();
        for (GemmTiling t : pool) {
            if (t.workGroups(m, n, groups) >= computeUnits) return t;
            if (t.workGroups(m, n, groups) > most.workGroups(m, n, groups)) most = t;
        }
        return most;
    }

    private static final Pattern FORMAT = Pattern.compile("(\\d+)x(\\d+)x(\\d+)/(\\d+)x(\\d+)");

    /** Parses {@code MxNxK/WMxWN}, e.g. {@code 64x64x16/4x4}. */
    static GemmTiling parse(String s) {
        Matcher m = FORMAT.matcher(s.strip());
        if (!m.matches()) throw new IllegalArgumentException("GEMM tiling must look like 64x64x16/4x4, got \"" + s + "\"");
        return new GemmTiling(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
    }

    @Override
    public String toString() {
        return tileM + "x" + tileN + "x" + tileK + "/" + workM + "x" + workN;
    }
}
