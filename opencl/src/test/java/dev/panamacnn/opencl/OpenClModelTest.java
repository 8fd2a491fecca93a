package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** Whole example models compiled on OpenCL against the layer API's reference forward pass. */
class OpenClModelTest {

    static void assertMatchesForward(Model m, Shape input, long seed) {
        OpenClBackend cl = OpenClTests.backend();
        try (Arena arena = Arena.ofConfined(); CompiledModel plan = Compiler.compile(m, input, CompileOptions.of(cl))) {
            Tensor x = Tensor.randomNormal(arena, seed, 0f, 1f, input.dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            Tensor actual = plan.run(x, arena);
            double scale = Tolerance.rms(expected.toArray());
            new Tolerance(1e-4, 1e-4 * scale, 4).assertClose("OpenCL vs forward", expected, actual);
            // A second run on the same context reuses every buffer and gives the same result.
            Tensor again = plan.run(x, arena);
            Tolerance.EXACT.assertClose("second run", actual, again);
        }
    }

    @Test
    void leNet5() {
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 3)) {
            assertMatchesForward(m, Shape.of(3, 1, 28, 28), 5);
        }
    }

    /** After warm-up a run allocates nothing on the Java heap: arguments and sizes were set at bind time. */
    @Test
    void aWarmRunAllocatesNothing() {
        OpenClBackend cl = OpenClTests.backend();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 3);
             CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(cl))) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, LeNet5.INPUT.dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            for (int i = 0; i < 3000; i++) plan.run(x, y); // C2-compile the path, downcalls included
            long tid = Thread.currentThread().threadId();
            // The least of three windows: a systematic allocation shows in all of them, while a
            // window may catch the last compiled code being installed.
            long least = Long.MAX_VALUE;
            for (int w = 0; w < 3; w++) {
                long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 100; i++) plan.run(x, y);
                least = Math.min(least, threads.getThreadAllocatedBytes(tid) - before);
            }
            org.junit.jupiter.api.Assertions.assertEquals(0, least, "bytes allocated by 100 warm runs");
        }
    }

    /** Two threads at once get two contexts (two queues and device workspaces) and the same answers. */
    @Test
    void concurrentRunsUseSeparateContexts() throws Exception {
        OpenClBackend cl = OpenClTests.backend();
        try (Arena arena = Arena.ofShared(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 3);
             CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(cl).maxConcurrentRuns(2))) {
            Tensor[] xs = new Tensor[2];
            float[][] expected = new float[2][];
            for (int t = 0; t < 2; t++) {
                xs[t] = Tensor.randomNormal(arena, 10 + t, 0f, 1f, LeNet5.INPUT.dims());
                expected[t] = plan.run(xs[t], arena).toArray();
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (int t = 0; t < 2; t++) {
                    int id = t;
                    futures.add(pool.submit(() -> {
                        Tensor y = Tensor.allocate(arena, plan.outputShape());
                        for (int i = 0; i < 200; i++) {
                            plan.run(xs[id], y);
                            Tolerance.EXACT.assertClose("thread " + id + " run " + i, expected[id], y.toArray());
                        }
                    }));
                }
                for (var f : futures) f.get();
            } finally {
                pool.shutdown();
            }
            org.junit.jupiter.api.Assertions.assertTrue(plan.contextsCreated() <= 2, "contexts: " + plan.contextsCreated());
        }
    }

    @Test
    void resNet18() {
        try (Model m = Model.init(ResNet18.build(), ResNet18.INPUT, 1)) {
            assertMatchesForward(m, ResNet18.INPUT, 7);
        }
    }
}
