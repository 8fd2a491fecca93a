package dev.panamacnn.simd;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.ReferenceBackend;
import java.util.Optional;

/**
 * Chooses the Vector API backend when the JVM can run it, else the reference kernels — and says
 * so once, clearly, through {@link System.Logger}. This class never touches
 * {@code jdk.incubator.vector} types itself, so it loads on any JVM.
 */
public final class SimdBackends {
    private static final System.Logger LOG = System.getLogger("dev.panamacnn");
    private static volatile String unavailableReason;
    private static volatile boolean probed;

    private SimdBackends() {}

    /** The Vector API backend if available, otherwise {@link ReferenceBackend} (logged once). */
    public static Backend fastest() {
        String why = unavailableReason();
        if (why == null) return SimdBackend.instance();
        return ReferenceBackend.INSTANCE;
    }

    /**
     * The Vector API backend with ungrouped convolutions forced to one algorithm (for tests and
     * measurements; {@link #fastest()} chooses per layer). Throws when the backend cannot run here.
     */
    public static Backend simd(ConvAlgorithm algorithm) {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException(why);
        return SimdBackend.with(algorithm);
    }

    /** Whether the Vector API backend can run here. */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why the Vector API backend cannot run, or null when it can. Logs the decision once. */
    public static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            unavailableReason = probe();
            if (unavailableReason == null) {
                LOG.log(System.Logger.Level.DEBUG, "panama-cnn: Vector API backend, " + VectorCapabilities.describe());
            } else {
                LOG.log(System.Logger.Level.WARNING, "panama-cnn: " + unavailableReason
                        + "; using the scalar reference kernels (much slower)");
            }
        }
        return unavailableReason;
    }

    private static String probe() {
        Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vector.isEmpty()) {
            return "the Vector API is unavailable (jdk.incubator.vector is not in the module graph:"
                    + " start the JVM with --add-modules jdk.incubator.vector)";
        }
        if (!SimdBackends.class.getModule().canRead(vector.get())) {
            return "module " + SimdBackends.class.getModule().getName() + " cannot read jdk.incubator.vector";
        }
        try {
            int bits = VectorCapabilities.vectorBits();
            if (bits < 128) {
                return "the preferred vector size is only " + bits + " bits";
            }
        } catch (LinkageError e) {
            return "the Vector API failed to load (" + e + ")";
        }
        return null;
    }
}
