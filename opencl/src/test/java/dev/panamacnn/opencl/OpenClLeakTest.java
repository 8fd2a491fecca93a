package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * Every native resource has one owner and one close: 10,000 compile → run → close cycles of a
 * tiny model (kernel weights, a context's queue, workspace buffer and kernel objects each time)
 * must leave exactly as many live OpenCL handles as before and create no context, and the
 * process's resident memory outside what the JVM committed must not grow with the cycle count (a
 * leaked ~150 KiB workspace would add over 1 GiB). Memory growth is published as report entries
 * ("LEAK …", printed by {@link DeviceTests}) so a device run shows it even when the test passes.
 */
class OpenClLeakTest {
    static final int CYCLES = 10_000;

    static final Shape INPUT = Shape.of(1, 3, 48, 48);

    static Sequential tiny() {
        return Sequential.of(Conv2d.of(3, 8, 3).padding(1), Act.relu(), Pool2d.max(2, 2, 0),
                GlobalPool.avg(), new Flatten(), Linear.of(8, 4), Softmax.ofClasses());
    }

    /**
     * The process's resident memory minus what the JVM itself has committed (heap, metaspace, code
     * cache): a JVM on a big machine may grow its heap by hundreds of MiB over 10,000 compiles
     * without leaking anything, while driver memory held for released handles shows up here.
     */
    record Memory(long rss, long jvm) {
        static Memory now() throws IOException {
            var mx = ManagementFactory.getMemoryMXBean();
            return new Memory(rssBytes(), mx.getHeapMemoryUsage().getCommitted() + mx.getNonHeapMemoryUsage().getCommitted());
        }

        long outsideJvm() {
            return rss - jvm;
        }

        /** "rss +X MiB (JVM-committed +Y, outside the JVM +Z)" relative to {@code from}. */
        String growthSince(Memory from) {
            return "rss " + signedMib(rss - from.rss) + " (JVM-committed " + signedMib(jvm - from.jvm)
                    + ", outside the JVM " + signedMib(outsideJvm() - from.outsideJvm()) + ")";
        }

        private static String signedMib(long bytes) {
            return String.format(java.util.Locale.ROOT, "%+.1f MiB", bytes / 1048576.0);
        }
    }

    @Test
    void compileRunCloseCyclesLeakNothing(TestReporter report) throws IOException {
        OpenClBackend cl = OpenClTests.backend();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(tiny(), INPUT, 1)) {
            Tensor x = Tensor.randomNormal(arena, 2, 0f, 1f, INPUT.dims());
            Tensor y = Tensor.allocate(arena, Shape.of(1, 4));
            float[] first = null;
            long handles = -1, contexts = Cl.contextsCreated();
            Memory warm = null;
            for (int i = 0; i < CYCLES; i++) {
                try (CompiledModel plan = Compiler.compile(m, INPUT, CompileOptions.of(cl).maxConcurrentRuns(1))) {
                    plan.run(x, y);
                }
                if (i == 0) {
                    first = y.toArray(); // programs are now built and cached: the baseline from here on
                    handles = Cl.liveHandles();
                } else if (Cl.liveHandles() != handles) {
                    throw new AssertionError("cycle " + i + ": " + Cl.liveHandles() + " live handles, expected " + handles);
                }
                if (i == CYCLES / 10) warm = Memory.now();
                if (warm != null && i > CYCLES / 10 && (i + 1) % (CYCLES / 5) == 0) {
                    report.publishEntry("LEAK cycle " + (i + 1), Memory.now().growthSince(warm));
                }
            }
            assertEquals(handles, Cl.liveHandles());
            assertEquals(contexts, Cl.contextsCreated(), "compiling and closing models creates no context");
            assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(y.toArray()), "same result every cycle");
            Memory end = Memory.now();
            String growth = end.growthSince(warm) + " over " + (CYCLES - CYCLES / 10 - 1) + " cycles";
            report.publishEntry("LEAK compile/run/close", growth);
            assertTrue(end.outsideJvm() - warm.outsideJvm() < 256L << 20, "memory outside the JVM grew: " + growth);
        }
    }

    /**
     * A backend per model (as a program that opens the device for each model would do): with the
     * device's context already in use, each new backend joins it and no context is created.
     */
    @Test
    void aBackendPerCompileJoinsTheDeviceContext(TestReporter report) throws IOException {
        String device = String.valueOf(OpenClTests.backend().device().index());
        int cycles = CYCLES / 10;
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(tiny(), INPUT, 1)) {
            Tensor x = Tensor.randomNormal(arena, 2, 0f, 1f, INPUT.dims());
            long handles = -1, contexts = -1;
            Memory warm = null;
            for (int i = 0; i < cycles; i++) {
                try (OpenClBackend b = OpenClBackend.create(device);
                     CompiledModel plan = Compiler.compile(m, INPUT, CompileOptions.of(b).maxConcurrentRuns(1))) {
                    plan.run(x, arena);
                }
                if (i == 0) {
                    handles = Cl.liveHandles();
                    contexts = Cl.contextsCreated();
                    warm = Memory.now();
                }
            }
            assertEquals(handles, Cl.liveHandles());
            assertEquals(contexts, Cl.contextsCreated(), "each backend joined the device's context");
            report.publishEntry("LEAK backend per compile", Memory.now().growthSince(warm) + " over " + (cycles - 1) + " cycles");
        }
    }

    @Test
    void backendCreateCloseReleasesEverything() {
        String device = OpenClTests.closeShared(); // else the device's context and programs outlive each backend
        long before = Cl.liveHandles();
        for (int i = 0; i < 20; i++) {
            try (OpenClBackend b = OpenClBackend.create(device)) {
                b.program("eltwise.cl", "");
                assertTrue(Cl.liveHandles() >= before + 2, "a context and a program are live");
            }
            assertEquals(before, Cl.liveHandles(), "after closing backend " + i);
        }
    }

    /** VmRSS from /proc (Linux); 0 elsewhere, which turns the memory bound into a no-op. */
    static long rssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return 0;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return 0;
    }
}
