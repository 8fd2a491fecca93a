package dev.panamacnn.tools;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * OpenBLAS's {@code cblas_sgemm} through FFM: the GEMM peer of {@code bench-gemm}, used only when
 * Debian's {@code libopenblas0} is installed. The library itself never needs it.
 */
final class OpenBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111;
    private final MethodHandle sgemm;
    private final MethodHandle setThreads;
    private final MethodHandle coreName;

    private OpenBlas(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ValueLayout i = ValueLayout.JAVA_INT, f = ValueLayout.JAVA_FLOAT, p = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i));
        setThreads = linker.downcallHandle(lib.find("openblas_set_num_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(i));
        coreName = linker.downcallHandle(lib.find("openblas_get_corename").orElseThrow(),
                FunctionDescriptor.of(p));
    }

    /** OpenBLAS if it can be loaded here, else empty. */
    static Optional<OpenBlas> load() {
        for (String name : new String[] {"libopenblas.so.0", "libopenblas.so"}) {
            try {
                return Optional.of(new OpenBlas(SymbolLookup.libraryLookup(name, Arena.global())));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                // not installed under this name
            }
        }
        return Optional.empty();
    }

    void threads(int n) {
        try {
            setThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** The kernel family OpenBLAS chose for this CPU (e.g. SKYLAKEX, HASWELL). */
    String coreName() {
        try {
            MemorySegment s = (MemorySegment) coreName.invokeExact();
            return s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            return "unknown";
        }
    }

    /** C[m×n] = A[m×k]·B[k×n], all row-major and contiguous. */
    void sgemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c) {
        try {
            sgemm.invokeExact(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1f, a, k, b, n, 0f, c, n);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }
}
