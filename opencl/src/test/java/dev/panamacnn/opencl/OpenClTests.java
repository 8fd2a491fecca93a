package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Test support: one backend shared by the test classes of a run (programs build once). Without
 * OpenCL the tests are skipped with a notice on stderr, except when the environment variable
 * {@code CI} is set: CI installs PoCL, so there a missing OpenCL fails.
 */
final class OpenClTests {
    private OpenClTests() {}

    private static OpenClBackend shared;
    private static boolean noticed;

    /** Skips (or, under CI, fails) the calling test unless OpenCL is usable. */
    static synchronized void assumeOpenCl() {
        String reason = OpenCl.unavailableReason();
        if (reason == null) return;
        if (System.getenv("CI") != null) fail("CI is set, so OpenCL must be usable: " + reason);
        if (!noticed) {
            System.err.println("NOTICE: OpenCL tests SKIPPED: " + reason);
            noticed = true;
        }
        Assumptions.abort("OpenCL unavailable: " + reason);
    }

    /** The shared backend on the default device (or {@code -Dpanamacnn.opencl.device=...}). */
    static synchronized OpenClBackend backend() {
        assumeOpenCl();
        if (shared == null) shared = OpenClBackend.create();
        return shared;
    }

    /**
     * Closes the shared backend (the next {@link #backend()} makes a new one), so that a test can
     * watch the device's context being created and released; the device index it was on.
     */
    static synchronized String closeShared() {
        String device = String.valueOf(backend().device().index());
        shared.close();
        shared = null;
        return device;
    }
}
