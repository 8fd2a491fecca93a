package dev.panamacnn.opencl;

/**
 * A failed OpenCL call, a missing OpenCL installation, or a program that did not build. Carries
 * the call, the status code and its {@code CL_*} name, and for a failed build the build log.
 */
public final class OpenClException extends RuntimeException {
    private final String call;
    private final int status;
    private final String buildLog;

    /** A call that returned {@code status}. */
    public OpenClException(String call, int status) {
        this(call, status, null);
    }

    /** A call that returned {@code status}, with the compiler's log for a failed build. */
    public OpenClException(String call, int status, String buildLog) {
        super(call + " failed: " + ClStatus.name(status) + " (" + status + ")"
                + (buildLog == null ? "" : "\n--- build log ---\n" + buildLog.strip()));
        this.call = call;
        this.status = status;
        this.buildLog = buildLog;
    }

    /** OpenCL is not usable at all (no loader, no platform, no device): {@code message} says what to install. */
    public OpenClException(String message) {
        super(message);
        this.call = null;
        this.status = 0;
        this.buildLog = null;
    }

    /** The failed entry point (e.g. {@code clBuildProgram}), or null when OpenCL is missing. */
    public String call() {
        return call;
    }

    /** The OpenCL status code (negative), or 0 when OpenCL is missing. */
    public int status() {
        return status;
    }

    /** The {@code CL_*} name of {@link #status()}. */
    public String errorName() {
        return ClStatus.name(status);
    }

    /** The program build log for {@code CL_BUILD_PROGRAM_FAILURE}, else null. */
    public String buildLog() {
        return buildLog;
    }
}
