package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * One OpenCL context per device, shared by every backend and compiled model on it, and released
 * (programs first) exactly when its last user closes, whatever the order.
 */
class SharedContextTest {

    @Test
    void twoModelsOnOneDeviceShareOneContextReleasedAfterBothClose() {
        String device = OpenClTests.closeShared(); // nothing else holds the device's context now
        long contexts = Cl.liveContexts(), handles = Cl.liveHandles(), created = Cl.contextsCreated();
        Shape in = OpenClLeakTest.INPUT;
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(OpenClLeakTest.tiny(), in, 3)) {
            Tensor x = Tensor.randomNormal(arena, 4, 0f, 1f, in.dims());
            OpenClBackend b1 = OpenClBackend.create(device), b2 = OpenClBackend.create(device);
            assertSame(b1.cl, b2.cl, "two backends on one device share its context");
            assertEquals(contexts + 1, Cl.liveContexts());
            assertSame(b1.program("eltwise.cl", ""), b2.program("eltwise.cl", ""), "and its built programs");

            CompiledModel p1 = Compiler.compile(m, in, CompileOptions.of(b1).maxConcurrentRuns(1));
            CompiledModel p2 = Compiler.compile(m, in, CompileOptions.of(b2).maxConcurrentRuns(1));
            assertEquals(created + 1, Cl.contextsCreated(), "compiling creates no context");
            // The backends may go first: the models keep the context (and programs) alive.
            b1.close();
            b2.close();
            assertThrows(IllegalStateException.class, () -> Compiler.compile(m, in, CompileOptions.of(b1)));
            float[] y1 = p1.run(x, arena).toArray(), y2 = p2.run(x, arena).toArray();
            assertArrayEquals(y1, y2);
            assertEquals(contexts + 1, Cl.liveContexts());

            p1.close();
            assertEquals(contexts + 1, Cl.liveContexts(), "the second model still uses the context");
            assertArrayEquals(y2, p2.run(x, arena).toArray(), "and still runs");
            p2.close();
            assertEquals(contexts, Cl.liveContexts(), "the last user released the context");
            assertEquals(handles, Cl.liveHandles(), "and every program, buffer, queue and kernel with it");
        }
    }

    @Test
    void aContextIsCreatedAgainAfterItsLastUserClosed() {
        String device = OpenClTests.closeShared();
        long contexts = Cl.liveContexts(), created = Cl.contextsCreated();
        for (int i = 1; i <= 3; i++) {
            try (OpenClBackend b = OpenClBackend.create(device)) {
                b.program("eltwise.cl", "");
                assertEquals(contexts + 1, Cl.liveContexts());
            }
            assertEquals(contexts, Cl.liveContexts());
            assertEquals(created + i, Cl.contextsCreated());
        }
    }
}
