package dev.panamacnn.opencl;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs compiled models on an OpenCL device. Weights are uploaded once per kernel at compile
 * time; each execution context owns one device buffer mirroring the host workspace; a run
 * uploads the input slot, enqueues every kernel, downloads the output slot and waits once.
 *
 * <pre>{@code
 * try (OpenClBackend cl = OpenClBackend.create("0");
 *      CompiledModel plan = Compiler.compile(model, shape, CompileOptions.of(cl))) {
 *     plan.run(input, output);
 * }
 * }</pre>
 *
 * Backends, compiled models and their execution contexts on one device share one OpenCL context
 * and its built programs ({@link ClContext}); each is a counted user, and the last to close
 * releases the programs, then the context. Models may outlive the backend that compiled them.
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OpenClBackend.class.getName());

    final ClContext cl;
    private final List<GemmTiling> tilings;
    private final GemmTiling forced;
    private final List<GemmTiling> checked = new ArrayList<>();
    private volatile boolean closed;

    private OpenClBackend(Devices.Found found) {
        String force = System.getProperty(GemmTiling.PROPERTY);
        this.forced = force == null || force.isBlank() ? null : GemmTiling.parse(force);
        this.tilings = new ArrayList<>(GemmTiling.usable(found.info()));
        if (tilings.isEmpty() && forced == null) {
            throw new OpenClException("device " + found.info().name() + " cannot run any GEMM tiling"
                    + " (max work-group " + found.info().maxWorkGroupSize() + ", local memory "
                    + found.info().localMemBytes() + " bytes)");
        }
        this.cl = ClContext.acquire(found);
        LOG.log(System.Logger.Level.INFO, "OpenCL backend on {0}; GEMM tilings {1}",
                found.info().describe(), forced != null ? "forced " + forced : tilings);
    }

    /** On the device named by system property {@value OpenCl#DEVICE_PROPERTY}, else the first GPU, else the first device. */
    public static OpenClBackend create() {
        return create(System.getProperty(OpenCl.DEVICE_PROPERTY));
    }

    /**
     * On the device {@code selector} names: an index into {@link OpenCl#devices()}, or a substring
     * of the device, vendor or platform name; null or blank picks the default.
     *
     * @throws OpenClException when OpenCL is missing (the message says what to install)
     * @throws IllegalArgumentException when no device matches (the message lists them)
     */
    public static OpenClBackend create(String selector) {
        Cl.require();
        return new OpenClBackend(Devices.select(selector));
    }

    public OpenClDevice device() {
        return cl.info;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public Kernel conv(Ops.Conv op) {
        int groups = op.spec().groups();
        if (groups > 1 && op.input().rank() == 4 && op.input().dim(1) == groups) return ConvKernels.depthwise(this, op);
        return ConvKernels.conv(this, op);
    }

    @Override
    public Kernel linear(Ops.Linear op) {
        return ConvKernels.linear(this, op);
    }

    @Override
    public Kernel pool(Ops.Pool op) {
        return PoolKernels.pool(this, op);
    }

    @Override
    public Kernel globalPool(Ops.GlobalPool op) {
        return PoolKernels.global(this, op);
    }

    @Override
    public Kernel affine(Ops.Affine op) {
        return EltwiseKernels.affine(this, op);
    }

    @Override
    public Kernel add(Ops.Add op) {
        return EltwiseKernels.add(this, op);
    }

    @Override
    public Kernel activation(Ops.Act op) {
        return EltwiseKernels.activation(this, op);
    }

    @Override
    public Kernel softmax(Ops.Softmax op) {
        return EltwiseKernels.softmax(this, op);
    }

    @Override
    public Kernel copy(Ops.Copy op) {
        return TransferKernels.copy(this, op);
    }

    @Override
    public Kernel binary(Ops.Binary op) {
        return EltwiseKernels.binary(this, op);
    }

    @Override
    public Kernel concat(Ops.Concat op) {
        return LayoutKernels.concat(this, op);
    }

    @Override
    public Kernel transpose(Ops.Transpose op) {
        return LayoutKernels.transpose(this, op);
    }

    @Override
    public Kernel pad(Ops.Pad op) {
        return LayoutKernels.pad(this, op);
    }

    @Override
    public Kernel slice(Ops.Slice op) {
        return LayoutKernels.slice(this, op);
    }

    @Override
    public Kernel reduceMean(Ops.ReduceMean op) {
        return ReduceKernels.mean(this, op);
    }

    @Override
    public Kernel matmul(Ops.MatMul op) {
        return MatMulKernels.matmul(this, op);
    }

    @Override
    public Kernel constant(Ops.Constant op) {
        return TransferKernels.constant(this, op);
    }

    @Override
    public Optional<Kernel> transfer(Ops.Transfer op) {
        return Optional.of(TransferKernels.transfer(this, op));
    }

    // ---- for the kernel factories ----

    MemorySegment program(String file, String header) {
        checkOpen();
        return cl.program(file, header);
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("OpenCL backend on " + cl.info.name() + " is closed");
    }

    /** Work-group size of 1-D launches. */
    int local1d() {
        return Math.min(64, cl.info.maxWorkGroupSize());
    }

    /** The tiling for an {@code m × n} product per group; a tiling whose built kernel cannot run its work-group size is dropped. */
    synchronized GemmTiling tiling(int m, int n, int groups) {
        if (forced != null) return forced;
        while (true) {
            GemmTiling t = GemmTiling.choose(tilings, m, n, groups, cl.info.computeUnits());
            if (checked.contains(t)) return t;
            MemorySegment k = Cl.createKernel(program("gemm.cl", t.header()), ConvKernels.GEMM);
            long max;
            try {
                max = Cl.kernelWorkGroupSize(k, cl.device);
            } finally {
                Cl.releaseKernel(k);
            }
            if (max >= t.threads() || tilings.size() == 1) {
                checked.add(t);
                return t;
            }
            tilings.remove(t); // e.g. too many registers per work-item for this device
        }
    }

    /** A read-only device buffer holding {@code data} (at least one element). */
    MemorySegment upload(float[] data) {
        checkOpen();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_FLOAT, Math.max(1, data.length));
            MemorySegment.copy(data, 0, host, JAVA_FLOAT, 0, data.length);
            return Cl.createBuffer(cl.context, Cl.MEM_READ_ONLY | Cl.MEM_COPY_HOST_PTR, host.byteSize(), host);
        }
    }

    MemorySegment upload(int[] data) {
        checkOpen();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_INT, Math.max(1, data.length));
            MemorySegment.copy(data, 0, host, JAVA_INT, 0, data.length);
            return Cl.createBuffer(cl.context, Cl.MEM_READ_ONLY | Cl.MEM_COPY_HOST_PTR, host.byteSize(), host);
        }
    }

    /**
     * Ends this backend's use of the device's shared context: new compiles fail; models compiled
     * on it keep working, and the context goes when the last of them closes too.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        cl.release();
    }
}
