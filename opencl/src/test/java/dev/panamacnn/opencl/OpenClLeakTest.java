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
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every native resource has one owner and one close: 10,000 compile → run → close cycles of a
 * tiny model (kernel weights, a context's queue, workspace buffer and kernel objects each time)
 * must leave exactly as many live OpenCL handles as before, and the process's resident memory
 * must not grow with the cycle count (a leaked ~150 KiB workspace would add over 1 GiB).
 */
class OpenClLeakTest {
    static final int CYCLES = 10_000;

    static final Shape INPUT = Shape.of(1, 3, 48, 48);

    static Sequential tiny() {
        return Sequential.of(Conv2d.of(3, 8, 3).padding(1), Act.relu(), Pool2d.max(2, 2, 0),
                GlobalPool.avg(), new Flatten(), Linear.of(8, 4), Softmax.ofClasses());
    }

    @Test
    void compileRunCloseCyclesLeakNothing() throws IOException {
        OpenClBackend cl = OpenClTests.backend();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(tiny(), INPUT, 1)) {
            Tensor x = Tensor.randomNormal(arena, 2, 0f, 1f, INPUT.dims());
            Tensor y = Tensor.allocate(arena, Shape.of(1, 4));
            float[] first = null;
            long handles = -1, rssAtWarm = 0;
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
                if (i == CYCLES / 10) rssAtWarm = rssBytes();
            }
            assertEquals(handles, Cl.liveHandles());
            assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(y.toArray()), "same result every cycle");
            long growth = rssBytes() - rssAtWarm;
            assertTrue(growth < 256L << 20, "resident memory grew by " + (growth >> 20) + " MiB over "
                    + (CYCLES - CYCLES / 10) + " cycles");
        }
    }

    @Test
    void backendCreateCloseReleasesEverything() {
        String device = String.valueOf(OpenClTests.backend().device().index());
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
