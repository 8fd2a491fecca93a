package dev.panamacnn.benchmarks.openblas;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A benchmark-only FFM binding to OpenBLAS's {@code cblas_sgemm}, the GEMM peer (Debian:
 * {@code apt-get install -y libopenblas0}). The library itself never needs it. The shared library
 * is looked up once, lazily; {@link #isAvailable()} never throws and {@link #unavailableReason()}
 * says why when it is absent.
 */
public final class OpenBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111;
    private static final String LIBRARY = "libopenblas.so.0";

    private OpenBlas() {}

    /** Loaded on first use; holds null handles and the reason when the library is missing. */
    private static final class Lib {
        static final MethodHandle SGEMM, SET_THREADS, CONFIG, CORENAME;
        static final String ERROR;

        static {
            MethodHandle sgemm = null, threads = null, config = null, core = null;
            String error = null;
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
                Linker linker = Linker.nativeLinker();
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
                AddressLayout p = ValueLayout.ADDRESS;
                sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                        FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i));
                threads = linker.downcallHandle(lib.find("openblas_set_num_threads").orElseThrow(),
                        FunctionDescriptor.ofVoid(i));
                config = linker.downcallHandle(lib.find("openblas_get_config").orElseThrow(), FunctionDescriptor.of(p));
                core = linker.downcallHandle(lib.find("openblas_get_corename").orElseThrow(), FunctionDescriptor.of(p));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                error = LIBRARY + " not usable (" + e.getMessage() + "); install it with: apt-get install -y libopenblas0";
            } catch (IllegalCallerException e) {
                error = "native access is disabled: run with --enable-native-access=ALL-UNNAMED";
            }
            SGEMM = sgemm;
            SET_THREADS = threads;
            CONFIG = config;
            CORENAME = core;
            ERROR = error;
        }
    }

    public static boolean isAvailable() {
        return Lib.ERROR == null;
    }

    /** Why OpenBLAS cannot be used, or null when it can. */
    public static String unavailableReason() {
        return Lib.ERROR;
    }

    /**
     * Row-major C[m × n] = A[m × k]·B[k × n] (+ C when {@code accumulate}); leading dimensions and
     * offsets in floats. Segments must be native.
     */
    public static void sgemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff,
            int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        check();
        try {
            Lib.SGEMM.invokeExact(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1f, a.asSlice(aOff * 4), lda,
                    b.asSlice(bOff * 4), ldb, accumulate ? 1f : 0f, c.asSlice(cOff * 4), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /** OpenBLAS's own thread count (it keeps a pool of its own). */
    public static void setNumThreads(int threads) {
        check();
        try {
            Lib.SET_THREADS.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** e.g. {@code OpenBLAS 0.3.21 DYNAMIC_ARCH ... Cooperlake; core SkylakeX}: the build and the kernel it picked. */
    public static String describe() {
        check();
        try {
            String config = ((MemorySegment) Lib.CONFIG.invokeExact()).reinterpret(256).getString(0);
            String core = ((MemorySegment) Lib.CORENAME.invokeExact()).reinterpret(64).getString(0);
            return config.strip() + "; core " + core;
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_config failed", t);
        }
    }

    private static void check() {
        if (!isAvailable()) throw new IllegalStateException(Lib.ERROR);
    }
}
