package dev.panamacnn.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenCL C API as hand-written FFM downcalls: one {@code static final} method handle per
 * entry point, resolved when this class is first used, and thin wrappers that check every
 * status and throw {@link OpenClException}. Types: {@code size_t}/{@code cl_ulong}/bitfields are
 * {@code JAVA_LONG}, {@code cl_int}/{@code cl_uint}/{@code cl_bool} are {@code JAVA_INT}, handles
 * are {@code ADDRESS}. Nothing here throws from static initialisation: a missing library or
 * symbol is recorded and reported by {@link #require()}.
 *
 * <p>Every handle this class creates is counted until released ({@link #liveHandles()}), so tests
 * can prove that nothing leaks.
 */
@SuppressWarnings("restricted") // loading a native library and binding it is this class's one job
final class Cl {
    private Cl() {}

    /** System property naming the loader library (default {@code libOpenCL.so.1}). */
    static final String LIBRARY_PROPERTY = "panamacnn.opencl.library";

    static final String INSTALL_HINT = "install the ICD loader and a driver, e.g. `apt-get install"
            + " ocl-icd-libopencl1 pocl-opencl-icd` (PoCL, CPU) or your GPU vendor's OpenCL driver"
            + " (drivers register themselves in /etc/OpenCL/vendors/*.icd)";

    // cl_platform_info, cl_device_info
    static final int PLATFORM_VERSION = 0x0901, PLATFORM_NAME = 0x0902, PLATFORM_VENDOR = 0x0903;
    static final long DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    static final int DEVICE_TYPE = 0x1000, DEVICE_MAX_COMPUTE_UNITS = 0x1002, DEVICE_MAX_WORK_GROUP_SIZE = 0x1004,
            DEVICE_MAX_WORK_ITEM_SIZES = 0x1005, DEVICE_MAX_CLOCK_FREQUENCY = 0x100C,
            DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010, DEVICE_GLOBAL_MEM_SIZE = 0x101F,
            DEVICE_LOCAL_MEM_TYPE = 0x1022, DEVICE_LOCAL_MEM_SIZE = 0x1023, DEVICE_NAME = 0x102B, DEVICE_VENDOR = 0x102C,
            DRIVER_VERSION = 0x102D, DEVICE_VERSION = 0x102F, DEVICE_EXTENSIONS = 0x1030,
            DEVICE_OPENCL_C_VERSION = 0x103D;
    static final long DEVICE_TYPE_CPU = 1 << 1, DEVICE_TYPE_GPU = 1 << 2, DEVICE_TYPE_ACCELERATOR = 1 << 3;
    /** {@code CL_DEVICE_LOCAL_MEM_TYPE} value for on-chip local memory ({@code CL_GLOBAL} = 2: emulated in global memory). */
    static final int LOCAL_MEM_DEDICATED = 1;
    static final long MEM_READ_WRITE = 1, MEM_READ_ONLY = 1 << 2, MEM_COPY_HOST_PTR = 1 << 5;
    private static final long CONTEXT_PLATFORM = 0x1084;
    private static final int PROGRAM_BUILD_LOG = 0x1183, KERNEL_WORK_GROUP_SIZE = 0x11B0;

    private static final String LIBRARY = System.getProperty(LIBRARY_PROPERTY, "libOpenCL.so.1");
    private static final Linker LINKER = Linker.nativeLinker();
    private static final List<String> MISSING = new ArrayList<>();
    private static final SymbolLookup LOOKUP;
    private static final String LOAD_ERROR;

    static {
        SymbolLookup lookup = null;
        String error = null;
        try {
            lookup = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (Throwable t) { // never fail class initialisation: report through require()
            error = "OpenCL is not available: cannot load " + LIBRARY + " (" + t.getMessage() + "); " + INSTALL_HINT;
        }
        LOOKUP = lookup;
        LOAD_ERROR = error;
    }

    private static final MethodHandle GET_PLATFORM_IDS = downcall("clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GET_PLATFORM_INFO = downcall("clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle GET_DEVICE_IDS = downcall("clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GET_DEVICE_INFO = downcall("clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle CREATE_CONTEXT = downcall("clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle RELEASE_CONTEXT = downcall("clReleaseContext", JAVA_INT, ADDRESS);
    private static final MethodHandle CREATE_QUEUE = downcall("clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle RELEASE_QUEUE = downcall("clReleaseCommandQueue", JAVA_INT, ADDRESS);
    private static final MethodHandle CREATE_BUFFER = downcall("clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle RELEASE_MEM = downcall("clReleaseMemObject", JAVA_INT, ADDRESS);
    private static final MethodHandle WRITE_BUFFER = downcall("clEnqueueWriteBuffer", JAVA_INT,
            ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle READ_BUFFER = downcall("clEnqueueReadBuffer", JAVA_INT,
            ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle COPY_BUFFER = downcall("clEnqueueCopyBuffer", JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle CREATE_PROGRAM = downcall("clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle BUILD_PROGRAM = downcall("clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle GET_BUILD_INFO = downcall("clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle RELEASE_PROGRAM = downcall("clReleaseProgram", JAVA_INT, ADDRESS);
    private static final MethodHandle CREATE_KERNEL = downcall("clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle SET_KERNEL_ARG = downcall("clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle GET_KERNEL_WG_INFO = downcall("clGetKernelWorkGroupInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle RELEASE_KERNEL = downcall("clReleaseKernel", JAVA_INT, ADDRESS);
    private static final MethodHandle ENQUEUE_ND_RANGE = downcall("clEnqueueNDRangeKernel", JAVA_INT,
            ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle FINISH = downcall("clFinish", JAVA_INT, ADDRESS);

    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong LIVE_CONTEXTS = new AtomicLong(), CONTEXTS_CREATED = new AtomicLong();

    private static MethodHandle downcall(String name, MemoryLayout ret, MemoryLayout... args) {
        if (LOOKUP == null) return null;
        var symbol = LOOKUP.find(name);
        if (symbol.isEmpty()) {
            MISSING.add(name);
            return null;
        }
        return LINKER.downcallHandle(symbol.get(), FunctionDescriptor.of(ret, args));
    }

    /** Null when the loader and every entry point were found, else what is wrong and what to install. */
    static String loadError() {
        if (LOAD_ERROR != null) return LOAD_ERROR;
        if (!MISSING.isEmpty()) {
            return "OpenCL is not usable: " + LIBRARY + " lacks " + MISSING + " (an OpenCL 1.2 loader is needed); " + INSTALL_HINT;
        }
        return null;
    }

    /** Throws the {@link #loadError()} unless the library is usable. */
    static void require() {
        String e = loadError();
        if (e != null) throw new OpenClException(e);
    }

    /** Handles created and not yet released (contexts, queues, buffers, programs, kernels). */
    static long liveHandles() {
        return LIVE.get();
    }

    /** Contexts created and not yet released (a subset of {@link #liveHandles()}). */
    static long liveContexts() {
        return LIVE_CONTEXTS.get();
    }

    /** Contexts ever created by this process. */
    static long contextsCreated() {
        return CONTEXTS_CREATED.get();
    }

    static void check(int status, String call) {
        if (status != ClStatus.SUCCESS) throw new OpenClException(call, status);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static MemorySegment created(MemorySegment handle, MemorySegment status, String call) {
        check(status.get(JAVA_INT, 0), call);
        LIVE.incrementAndGet();
        return handle;
    }

    // ---- platforms and devices ----

    /** Every platform; empty when the loader finds no driver (CL_PLATFORM_NOT_FOUND_KHR). */
    static MemorySegment[] platforms() {
        require();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            int s = (int) GET_PLATFORM_IDS.invokeExact(0, MemorySegment.NULL, n);
            if (s == ClStatus.PLATFORM_NOT_FOUND_KHR) return new MemorySegment[0];
            check(s, "clGetPlatformIDs");
            int count = n.get(JAVA_INT, 0);
            if (count == 0) return new MemorySegment[0];
            MemorySegment ids = a.allocate(ADDRESS, count);
            check((int) GET_PLATFORM_IDS.invokeExact(count, ids, MemorySegment.NULL), "clGetPlatformIDs");
            return addresses(ids, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Every device of a platform; empty for CL_DEVICE_NOT_FOUND. */
    static MemorySegment[] devices(MemorySegment platform) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            // Count with num_entries = 0: PoCL rejects (1, NULL, &n).
            int s = (int) GET_DEVICE_IDS.invokeExact(platform, DEVICE_TYPE_ALL, 0, MemorySegment.NULL, n);
            if (s == ClStatus.DEVICE_NOT_FOUND) return new MemorySegment[0];
            check(s, "clGetDeviceIDs");
            int count = n.get(JAVA_INT, 0);
            if (count == 0) return new MemorySegment[0];
            MemorySegment ids = a.allocate(ADDRESS, count);
            check((int) GET_DEVICE_IDS.invokeExact(platform, DEVICE_TYPE_ALL, count, ids, MemorySegment.NULL), "clGetDeviceIDs");
            return addresses(ids, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment[] addresses(MemorySegment ids, int count) {
        MemorySegment[] out = new MemorySegment[count];
        for (int i = 0; i < count; i++) out[i] = ids.getAtIndex(ADDRESS, i);
        return out;
    }

    static String platformString(MemorySegment platform, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check((int) GET_PLATFORM_INFO.invokeExact(platform, param, 0L, MemorySegment.NULL, size), "clGetPlatformInfo");
            MemorySegment v = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
            check((int) GET_PLATFORM_INFO.invokeExact(platform, param, v.byteSize(), v, MemorySegment.NULL), "clGetPlatformInfo");
            return v.getString(0).strip();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String deviceString(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check((int) GET_DEVICE_INFO.invokeExact(device, param, 0L, MemorySegment.NULL, size), "clGetDeviceInfo");
            MemorySegment v = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
            check((int) GET_DEVICE_INFO.invokeExact(device, param, v.byteSize(), v, MemorySegment.NULL), "clGetDeviceInfo");
            return v.getString(0).strip();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A {@code cl_uint} device property. */
    static int deviceInt(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) GET_DEVICE_INFO.invokeExact(device, param, 4L, v, MemorySegment.NULL), "clGetDeviceInfo");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A {@code size_t}, {@code cl_ulong} or bitfield device property. */
    static long deviceLong(MemorySegment device, int param) {
        return deviceLongs(device, param, 1)[0];
    }

    static long[] deviceLongs(MemorySegment device, int param, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG, count);
            check((int) GET_DEVICE_INFO.invokeExact(device, param, v.byteSize(), v, MemorySegment.NULL), "clGetDeviceInfo");
            return v.toArray(JAVA_LONG);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- contexts, queues, buffers ----

    static MemorySegment createContext(MemorySegment platform, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment props = a.allocateFrom(JAVA_LONG, CONTEXT_PLATFORM, platform.address(), 0L);
            MemorySegment devices = a.allocateFrom(ADDRESS, device);
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment ctx = (MemorySegment) CREATE_CONTEXT.invokeExact(props, 1, devices,
                    MemorySegment.NULL, MemorySegment.NULL, status);
            created(ctx, status, "clCreateContext");
            LIVE_CONTEXTS.incrementAndGet();
            CONTEXTS_CREATED.incrementAndGet();
            return ctx;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An in-order queue without profiling. */
    static MemorySegment createQueue(MemorySegment context, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment q = (MemorySegment) CREATE_QUEUE.invokeExact(context, device, 0L, status);
            return created(q, status, "clCreateCommandQueue");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A buffer of {@code bytes}; with {@code MEM_COPY_HOST_PTR}, {@code host} is copied in. */
    static MemorySegment createBuffer(MemorySegment context, long flags, long bytes, MemorySegment host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment b = (MemorySegment) CREATE_BUFFER.invokeExact(context, flags, bytes, host, status);
            return created(b, status, "clCreateBuffer(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void write(MemorySegment queue, MemorySegment buffer, boolean blocking, long offset, long bytes, MemorySegment src) {
        int s;
        try {
            s = (int) WRITE_BUFFER.invokeExact(queue, buffer, blocking ? 1 : 0, offset, bytes, src,
                    0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, "clEnqueueWriteBuffer");
    }

    static void read(MemorySegment queue, MemorySegment buffer, boolean blocking, long offset, long bytes, MemorySegment dst) {
        int s;
        try {
            s = (int) READ_BUFFER.invokeExact(queue, buffer, blocking ? 1 : 0, offset, bytes, dst,
                    0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, "clEnqueueReadBuffer");
    }

    static void copy(MemorySegment queue, MemorySegment src, MemorySegment dst, long srcOffset, long dstOffset, long bytes) {
        int s;
        try {
            s = (int) COPY_BUFFER.invokeExact(queue, src, dst, srcOffset, dstOffset, bytes,
                    0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, "clEnqueueCopyBuffer");
    }

    static void finish(MemorySegment queue) {
        int s;
        try {
            s = (int) FINISH.invokeExact(queue);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, "clFinish");
    }

    // ---- programs and kernels ----

    /** Builds {@code source} for one device; a failed build throws with the build log. */
    static MemorySegment buildProgram(MemorySegment context, MemorySegment device, String source, String options) {
        MemorySegment program;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment strings = a.allocateFrom(ADDRESS, a.allocateFrom(source));
            program = created((MemorySegment) CREATE_PROGRAM.invokeExact(context, 1, strings, MemorySegment.NULL, status),
                    status, "clCreateProgramWithSource");
            int s = (int) BUILD_PROGRAM.invokeExact(program, 1, a.allocateFrom(ADDRESS, device),
                    a.allocateFrom(options), MemorySegment.NULL, MemorySegment.NULL);
            if (s != ClStatus.SUCCESS) {
                String log = buildLog(program, device);
                releaseProgram(program);
                throw new OpenClException("clBuildProgram", s, log);
            }
            return program;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String buildLog(MemorySegment program, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            int s = (int) GET_BUILD_INFO.invokeExact(program, device, PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size);
            if (s != ClStatus.SUCCESS) return "(no build log: " + ClStatus.name(s) + ")";
            MemorySegment v = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
            s = (int) GET_BUILD_INFO.invokeExact(program, device, PROGRAM_BUILD_LOG, v.byteSize(), v, MemorySegment.NULL);
            return s == ClStatus.SUCCESS ? v.getString(0) : "(no build log: " + ClStatus.name(s) + ")";
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment createKernel(MemorySegment program, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment k = (MemorySegment) CREATE_KERNEL.invokeExact(program, a.allocateFrom(name), status);
            return created(k, status, "clCreateKernel(" + name + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets argument {@code index} to the bytes of {@code value} (a {@code cl_mem} is passed as a pointer to it). */
    static void setArg(MemorySegment kernel, int index, MemorySegment value) {
        int s;
        try {
            s = (int) SET_KERNEL_ARG.invokeExact(kernel, index, value.byteSize(), value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (s != ClStatus.SUCCESS) throw new OpenClException("clSetKernelArg(" + index + ")", s);
    }

    /** The largest work-group this kernel can run with on {@code device} (registers may cap it below the device's). */
    static long kernelWorkGroupSize(MemorySegment kernel, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) GET_KERNEL_WG_INFO.invokeExact(kernel, device, KERNEL_WORK_GROUP_SIZE, 8L, v, MemorySegment.NULL),
                    "clGetKernelWorkGroupInfo");
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Enqueues a launch; {@code global} and {@code local} hold {@code dims} size_t values. Allocates nothing. */
    static void enqueue(MemorySegment queue, MemorySegment kernel, int dims, MemorySegment global, MemorySegment local) {
        int s;
        try {
            s = (int) ENQUEUE_ND_RANGE.invokeExact(queue, kernel, dims, MemorySegment.NULL, global, local,
                    0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, "clEnqueueNDRangeKernel");
    }

    // ---- release ----

    static void releaseKernel(MemorySegment k) {
        release(RELEASE_KERNEL, k, "clReleaseKernel");
    }

    static void releaseProgram(MemorySegment p) {
        release(RELEASE_PROGRAM, p, "clReleaseProgram");
    }

    static void releaseMem(MemorySegment m) {
        release(RELEASE_MEM, m, "clReleaseMemObject");
    }

    static void releaseQueue(MemorySegment q) {
        release(RELEASE_QUEUE, q, "clReleaseCommandQueue");
    }

    static void releaseContext(MemorySegment c) {
        release(RELEASE_CONTEXT, c, "clReleaseContext");
        LIVE_CONTEXTS.decrementAndGet();
    }

    private static void release(MethodHandle h, MemorySegment handle, String call) {
        int s;
        try {
            s = (int) h.invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(s, call);
        LIVE.decrementAndGet();
    }
}
