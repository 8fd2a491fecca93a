package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.Compiler;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Device errors carry the CL_* name, the call and the build log; bad selectors and missing OpenCL say what to do. */
class OpenClErrorsTest {

    @Test
    void statusCodesHaveTheirClNames() {
        assertEquals("CL_SUCCESS", ClStatus.name(0));
        assertEquals("CL_DEVICE_NOT_FOUND", ClStatus.name(-1));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClStatus.name(-11));
        assertEquals("CL_KERNEL_ARG_INFO_NOT_AVAILABLE", ClStatus.name(-19));
        assertEquals("CL_INVALID_VALUE", ClStatus.name(-30));
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", ClStatus.name(-54));
        assertEquals("CL_MAX_SIZE_RESTRICTION_EXCEEDED", ClStatus.name(-72));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClStatus.name(-1001));
        assertEquals("CL_UNKNOWN_ERROR_-25", ClStatus.name(-25));
        OpenClException e = new OpenClException("clFinish", -36);
        assertEquals("clFinish failed: CL_INVALID_COMMAND_QUEUE (-36)", e.getMessage());
        assertEquals("CL_INVALID_COMMAND_QUEUE", e.errorName());
    }

    @Test
    void aFailedBuildCarriesTheBuildLog() {
        OpenClBackend cl = OpenClTests.backend();
        String bad = "__kernel void broken(__global float* x) { x[0] = undeclared_thing_42; }";
        OpenClException e = assertThrows(OpenClException.class, () -> cl.cl.buildUncached(bad, ""));
        assertEquals("clBuildProgram", e.call());
        assertEquals("CL_BUILD_PROGRAM_FAILURE", e.errorName());
        assertTrue(e.buildLog() != null && e.buildLog().contains("undeclared_thing_42"), "build log: " + e.buildLog());
        assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE") && e.getMessage().contains("undeclared_thing_42"),
                e.getMessage());
    }

    @Test
    void aFailedCallNamesItsError() {
        OpenClBackend cl = OpenClTests.backend();
        OpenClException e = assertThrows(OpenClException.class,
                () -> Cl.createBuffer(cl.cl.context, Cl.MEM_READ_WRITE, 0, MemorySegment.NULL));
        assertEquals("CL_INVALID_BUFFER_SIZE", e.errorName());
        assertTrue(e.getMessage().startsWith("clCreateBuffer"), e.getMessage());
    }

    @Test
    void badDeviceIndexOrNameListsTheDevices() {
        OpenClBackend cl = OpenClTests.backend();
        String name = cl.device().name();
        var index = assertThrows(IllegalArgumentException.class, () -> OpenClBackend.create("999"));
        assertTrue(index.getMessage().contains("index 999 out of range") && index.getMessage().contains(name), index.getMessage());
        var byName = assertThrows(IllegalArgumentException.class, () -> OpenClBackend.create("no-such-device-zz"));
        assertTrue(byName.getMessage().contains("no-such-device-zz") && byName.getMessage().contains(name), byName.getMessage());
        try (OpenClBackend again = OpenClBackend.create(name.substring(0, Math.min(6, name.length())).toUpperCase())) {
            assertEquals(cl.device().index(), again.device().index(), "a case-insensitive name substring selects");
        }
    }

    @Test
    void devicesAreDescribed() {
        OpenClBackend cl = OpenClTests.backend();
        List<OpenClDevice> devices = OpenCl.devices();
        assertFalse(devices.isEmpty());
        OpenClDevice d = devices.get(cl.device().index());
        assertTrue(d.computeUnits() > 0 && d.globalMemBytes() > 0 && d.maxWorkGroupSize() > 0 && d.localMemBytes() > 0, d.toString());
        assertTrue(d.version().startsWith("OpenCL "), d.version());
        assertTrue(OpenCl.describeDevices().contains(d.name()), OpenCl.describeDevices());
    }

    @Test
    void aClosedBackendRefusesNewWork() {
        OpenClTests.assumeOpenCl();
        OpenClBackend b = OpenClBackend.create(String.valueOf(OpenClTests.backend().device().index()));
        b.close();
        b.close(); // idempotent
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 1)) {
            var e = assertThrows(IllegalStateException.class, () -> Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(b)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    /** A JVM whose loader path does not exist: no exception from static init, and a message naming the packages. */
    @Test
    void missingLoaderSaysWhatToInstall() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-D" + Cl.LIBRARY_PROPERTY + "=/nonexistent/libOpenCL.so.1",
                "-cp", System.getProperty("java.class.path"), NoOpenCl.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("OpenClException: OpenCL is not available: cannot load /nonexistent/libOpenCL.so.1"), out);
        assertTrue(out.contains("ocl-icd-libopencl1") && out.contains("pocl-opencl-icd"), out);
    }

    /** The child of {@link #missingLoaderSaysWhatToInstall}. */
    public static final class NoOpenCl {
        public static void main(String[] args) {
            System.out.println("available=" + OpenCl.isAvailable());
            System.out.println("describe=" + OpenCl.describeDevices());
            try {
                OpenClBackend.create().close();
                System.out.println("created?!");
            } catch (OpenClException e) {
                System.out.println(e);
            }
        }
    }
}
