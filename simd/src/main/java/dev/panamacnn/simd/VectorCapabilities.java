package dev.panamacnn.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the Vector API offers on this machine: the preferred float species (its lanes and bits)
 * and the widest shape the JIT supports. Species are {@code static final} so C2 intrinsifies them.
 */
public final class VectorCapabilities {
    /** The float species every kernel is sized from (16 lanes with AVX-512). */
    static final VectorSpecies<Float> FLOAT_SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorCapabilities() {}

    public static int floatLanes() {
        return FLOAT_SPECIES.length();
    }

    public static int vectorBits() {
        return FLOAT_SPECIES.vectorBitSize();
    }

    public static int maxVectorBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }

    /** e.g. {@code Species[float, 16, S_512_BIT]}. */
    public static String describe() {
        return FLOAT_SPECIES.toString();
    }
}
