package dev.panamacnn.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one OpenCL context of a device in this process, and the programs built for it, shared by
 * every backend, compiled model and execution context on that device. Drivers keep per-context
 * state (NVIDIA's is large), so a context per backend or per compile would cost memory and
 * start-up time for nothing. Users are counted: {@link #acquire} and {@link #retain} add one,
 * {@link #release} removes one, and the last release frees the programs, then the context, at
 * once (no {@code Cleaner}). Programs are built once per (source, options) and cached until then.
 * Kernels, buffers and queues made from it are owned (and released first) by their users.
 */
final class ClContext {
    /** The live contexts by device id; also the lock for every user count. */
    private static final Map<Long, ClContext> SHARED = new HashMap<>();

    final OpenClDevice info;
    final MemorySegment device;
    final MemorySegment context;
    private final String baseOptions;
    private final Map<String, MemorySegment> programs = new LinkedHashMap<>();
    private int users; // guarded by SHARED
    private boolean released; // guarded by this

    private ClContext(Devices.Found found) {
        this.info = found.info();
        this.device = found.device();
        this.context = Cl.createContext(found.platform(), found.device());
        // Double-precision helpers (softmax, sigmoid, averages) when the device has them.
        this.baseOptions = "-cl-std=CL1.2" + (info.fp64() ? " -DUSE_FP64=1" : "");
    }

    /** The device's shared context, created when it has no user yet; the caller becomes a user. */
    static ClContext acquire(Devices.Found found) {
        synchronized (SHARED) {
            ClContext c = SHARED.get(found.device().address());
            if (c == null) {
                c = new ClContext(found);
                SHARED.put(found.device().address(), c);
            }
            c.users++;
            return c;
        }
    }

    /** One more user of a context that already has one (a model's kernels, an execution context). */
    void retain() {
        synchronized (SHARED) {
            if (users == 0) throw new IllegalStateException("the OpenCL context on " + info.name() + " was released");
            users++;
        }
    }

    /** One user fewer; the last one frees the programs, then the context. */
    void release() {
        synchronized (SHARED) {
            if (users == 0) throw new IllegalStateException("the OpenCL context on " + info.name() + " has no user to release");
            if (--users > 0) return;
            SHARED.remove(device.address(), this);
        }
        synchronized (this) {
            released = true;
            try {
                programs.values().forEach(Cl::releaseProgram);
            } finally {
                programs.clear();
                Cl.releaseContext(context);
            }
        }
    }

    /** Current users (backends, kernels, execution contexts): for tests. */
    int users() {
        synchronized (SHARED) {
            return users;
        }
    }

    /** The program built from {@code common.cl} + {@code header} + {@code file}, built on first use. */
    synchronized MemorySegment program(String file, String header) {
        checkLive();
        String key = file + "\n" + header;
        MemorySegment p = programs.get(key);
        if (p == null) {
            p = Cl.buildProgram(context, device, source("common.cl") + header + source(file), baseOptions);
            programs.put(key, p);
        }
        return p;
    }

    /** Builds arbitrary source (tests of the error path); the caller releases the result. */
    synchronized MemorySegment buildUncached(String source, String options) {
        checkLive();
        return Cl.buildProgram(context, device, source, baseOptions + " " + options);
    }

    private void checkLive() {
        if (released) throw new IllegalStateException("the OpenCL context on " + info.name() + " was released");
    }

    private static String source(String file) {
        try (InputStream in = ClContext.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("missing kernel source resource " + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
