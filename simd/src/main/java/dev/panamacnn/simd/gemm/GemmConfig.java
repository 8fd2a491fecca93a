package dev.panamacnn.simd.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fixed shape of the GEMM: vector species, micro-tile (MR × NR) and cache blocking (KC, NC).
 * Everything is {@code static final} so C2 folds it into the kernels.
 *
 * <p>The species is {@link FloatVector#SPECIES_PREFERRED} unless the system property
 * {@code panamacnn.gemm.vectorBits} (128, 256 or 512) asks for a narrower one, so tests can run
 * the 16-register kernel on an AVX-512 machine. The blocking sizes can be overridden with
 * {@code panamacnn.gemm.kc} and {@code panamacnn.gemm.nc} for tuning; the defaults were measured
 * (BENCHMARKS.md, section GEMM).
 */
public final class GemmConfig {
    /** The float species of every GEMM kernel. */
    static final VectorSpecies<Float> SPECIES = species(Integer.getInteger("panamacnn.gemm.vectorBits", 0));
    /** Float lanes per vector (16 with AVX-512). */
    public static final int LANES = SPECIES.length();
    /**
     * Rows of the micro-tile. 8 rows × 2 vectors = 16 accumulators fits AVX-512's 32 registers and
     * divides every channel count of common CNNs; with 16 registers (AVX2) 6 × 2 = 12 is the most
     * that fits beside the two B vectors and the broadcast.
     */
    public static final int MR = SPECIES.vectorBitSize() >= 512 ? 8 : 6;
    /** Columns of the micro-tile: two vectors along N (C rows are contiguous in NCHW). */
    public static final int NR = 2 * LANES;
    /**
     * Largest K block: one A micro-panel (KC × MR floats, 24 KiB) stays in L1 while the B
     * micro-panels stream from L2. Measured on AMD EPYC (Zen 4) against 192..1024: 768 was best,
     * mostly because long K blocks amortise the per-tile work (C loads/stores, edge tiles).
     */
    public static final int KC = positive("panamacnn.gemm.kc", 768);
    /** Largest N block: one packed B block (KC × NC floats, 768 KiB) stays in the 1 MiB L2. A multiple of NR. */
    public static final int NC = roundUp(positive("panamacnn.gemm.nc", 256), NR);

    private GemmConfig() {}

    /** One line for logs and benchmark reports, e.g. {@code Species[float, 16, S_512_BIT] 8x32 KC=768 NC=256}. */
    public static String describe() {
        return SPECIES + " " + MR + "x" + NR + " KC=" + KC + " NC=" + NC;
    }

    private static VectorSpecies<Float> species(int bits) {
        if (bits == 0) return FloatVector.SPECIES_PREFERRED;
        int max = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits < 128 || bits > max || Integer.bitCount(bits) != 1) {
            throw new IllegalArgumentException("panamacnn.gemm.vectorBits must be a power of two in [128, "
                    + max + "], got " + bits);
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    private static int positive(String property, int dflt) {
        int v = Integer.getInteger(property, dflt);
        if (v < 1) throw new IllegalArgumentException(property + " must be >= 1, got " + v);
        return v;
    }

    static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }
}
