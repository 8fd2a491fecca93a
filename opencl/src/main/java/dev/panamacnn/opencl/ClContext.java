package dev.panamacnn.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One OpenCL context on one device and the programs built for it. Programs are built once per
 * (source, options) and cached until {@link #close()}, which releases programs, then the context.
 * Kernels, buffers and queues made from it are owned (and released first) by their users.
 */
final class ClContext implements AutoCloseable {
    final OpenClDevice info;
    final MemorySegment device;
    final MemorySegment context;
    private final String baseOptions;
    private final Map<String, MemorySegment> programs = new LinkedHashMap<>();
    private boolean closed;

    ClContext(Devices.Found found) {
        this.info = found.info();
        this.device = found.device();
        this.context = Cl.createContext(found.platform(), found.device());
        // Double-precision helpers (softmax, sigmoid, averages) when the device has them.
        this.baseOptions = "-cl-std=CL1.2" + (info.fp64() ? " -DUSE_FP64=1" : "");
    }

    /** The program built from {@code common.cl} + {@code header} + {@code file}, built on first use. */
    synchronized MemorySegment program(String file, String header) {
        checkOpen();
        String key = file + "\n" + header;
        MemorySegment p = programs.get(key);
        if (p == null) {
            p = Cl.buildProgram(context, device, source("common.cl") + header + source(file), baseOptions);
            programs.put(key, p);
        }
        return p;
    }

    /** Builds arbitrary source (tests of the error path); the caller releases the result. */
    MemorySegment buildUncached(String source, String options) {
        checkOpen();
        return Cl.buildProgram(context, device, source, baseOptions + " " + options);
    }

    private static String source(String file) {
        try (InputStream in = ClContext.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("missing kernel source resource " + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void checkOpen() {
        if (closed) throw new IllegalStateException("OpenCL backend on " + info.name() + " is closed");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        programs.values().forEach(Cl::releaseProgram);
        programs.clear();
        Cl.releaseContext(context);
    }
}
