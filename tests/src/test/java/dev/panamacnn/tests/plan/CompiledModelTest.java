package dev.panamacnn.tests.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.ConvAlgorithm;
import dev.panamacnn.simd.SimdBackends;
import dev.panamacnn.tests.AllocationSites;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The compiled fast backend against the uncompiled reference model, and the claims of compiled
 * inference: no allocation after warm-up, safe concurrent calls, results independent of the
 * thread count.
 */
class CompiledModelTest {

    static Layer miniResNet() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 16, 7).stride(2).padding(3).noBias())
                .add("bn1", BatchNorm.of(16))
                .add("relu", Act.relu())
                .add("maxpool", Pool2d.max(3, 2, 1))
                .add("layer1", Sequential.of(ResNet18.basicBlock(16, 16, 1)))
                .add("layer2", Sequential.of(ResNet18.basicBlock(16, 24, 2)))
                .add("avgpool", GlobalPool.avg())
                .add("flatten", new Flatten())
                .add("fc", Linear.of(24, 7))
                .build();
    }

    static void randomiseState(Model m, long seed) {
        int i = 0;
        for (var e : m.state().asMap().entrySet()) {
            if (e.getKey().endsWith("running_var")) e.getValue().fillUniform(seed + i++, 0.5f, 2f);
            else e.getValue().fillUniform(seed + i++, -0.5f, 0.5f);
        }
        for (var e : m.params().asMap().entrySet()) {
            if (e.getKey().endsWith("bias")) e.getValue().fillUniform(seed + i++, -0.3f, 0.3f);
        }
    }

    static CompileOptions simd(int threads) {
        return CompileOptions.of(SimdBackends.fastest()).threads(threads);
    }

    static void assertMatchesReference(Model m, Shape in, int threads) {
        try (Arena arena = Arena.ofConfined(); CompiledModel plan = Compiler.compile(m, in, simd(threads))) {
            Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, in.dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            Tensor actual = plan.run(x, arena);
            double scale = Tolerance.rms(expected.toArray());
            new Tolerance(1e-4, 2e-4 * scale, 4).assertClose("simd plan vs reference model, " + threads
                    + " thread(s)", expected, actual);
        }
    }

    @Test
    void fastBackendIsAvailableInTheTestJvm() {
        assertTrue(SimdBackends.available(), SimdBackends.unavailableReason());
    }

    @Test
    void leNetMatchesTheReferenceModel() {
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 2)) {
            assertMatchesReference(m, Shape.of(3, 1, 28, 28), 1);
            assertMatchesReference(m, Shape.of(3, 1, 28, 28), 2);
        }
    }

    @Test
    void miniResNetMatchesTheReferenceModel() {
        try (Model m = Model.init(miniResNet(), Shape.of(2, 3, 37, 41), 4)) {
            randomiseState(m, 9);
            assertMatchesReference(m, Shape.of(2, 3, 37, 41), 1);
            assertMatchesReference(m, Shape.of(2, 3, 37, 41), 3);
        }
    }

    @Test
    void resNet18MatchesTheReferenceModel() {
        try (Model m = Model.init(ResNet18.build(), ResNet18.INPUT, 5)) {
            randomiseState(m, 21);
            assertMatchesReference(m, ResNet18.INPUT, 2);
        }
    }

    /**
     * Warm-up ends when C2 has compiled (and scalarised) every kernel, which takes longer on a
     * loaded machine: measure rounds of 100 runs until one allocates nothing, for at most 90 s.
     */
    @Test
    void warmedUpRunsAllocateNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(miniResNet(), Shape.of(1, 3, 32, 32), 1)) {
            for (int variant = 0; variant < 4; variant++) {
                int threads = 1 + variant % 2;
                // Variants 2 and 3 force the direct convolution kernel (AUTO keeps these small convs on GEMM).
                var options = variant < 2 ? simd(threads)
                        : CompileOptions.of(SimdBackends.simd(ConvAlgorithm.DIRECT)).threads(threads);
                try (CompiledModel plan = Compiler.compile(m, Shape.of(1, 3, 32, 32), options)) {
                    Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, 1, 3, 32, 32);
                    Tensor y = Tensor.allocate(arena, plan.outputShape());
                    long tid = Thread.currentThread().threadId();
                    long deadline = System.nanoTime() + 90_000_000_000L;
                    long allocated;
                    int rounds = 0;
                    do {
                        long before = mx.getThreadAllocatedBytes(tid);
                        for (int i = 0; i < 100; i++) plan.run(x, y);
                        allocated = mx.getThreadAllocatedBytes(tid) - before;
                        rounds++;
                    } while (allocated != 0 && System.nanoTime() < deadline);
                    String where = allocated == 0 ? "" : "; " + AllocationSites.of(() -> {
                        for (int i = 0; i < 100; i++) plan.run(x, y);
                    });
                    assertEquals(0, allocated, "heap bytes allocated by 100 runs after " + rounds
                            + " rounds of warm-up, " + threads + " thread(s), variant " + variant + where);
                    assertEquals(1, plan.contextsCreated(), "no new execution context (off-heap workspace) per run");
                }
            }
        }
    }

    @Test
    void concurrentCallersGetBitIdenticalResults() throws Exception {
        Shape in = Shape.of(1, 3, 32, 32);
        try (Arena arena = Arena.ofShared(); Model m = Model.init(miniResNet(), in, 7)) {
            randomiseState(m, 3);
            int inputs = 6;
            List<Tensor> xs = new ArrayList<>();
            List<float[]> serial = new ArrayList<>();
            try (CompiledModel one = Compiler.compile(m, in, simd(1))) {
                for (int i = 0; i < inputs; i++) xs.add(Tensor.randomNormal(arena, 100 + i, 0f, 1f, in.dims()));
                // Warm up first: interpreted Vector API code may sum lanes in another order than
                // the JIT's intrinsics; the claim is about threads and callers, compiled code alike.
                Tensor scratch = Tensor.allocate(arena, one.outputShape());
                for (int r = 0; r < 2000; r++) one.run(xs.get(r % inputs), scratch);
                for (int i = 0; i < inputs; i++) serial.add(one.run(xs.get(i), arena).toArray());
            }
            try (CompiledModel plan = Compiler.compile(m, in, simd(2).maxConcurrentRuns(4));
                 ExecutorService callers = Executors.newFixedThreadPool(4)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    futures.add(callers.submit(() -> {
                        try (Arena local = Arena.ofConfined()) {
                            Tensor y = Tensor.allocate(local, plan.outputShape());
                            for (int r = 0; r < 500; r++) plan.run(xs.get(r % inputs), y); // warm-up
                            for (int r = 0; r < 40; r++) {
                                int i = (r * 7 + (int) Thread.currentThread().threadId()) % inputs;
                                plan.run(xs.get(i), y);
                                assertArrayEquals(serial.get(i), y.toArray(), "input " + i);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
                assertTrue(plan.contextsCreated() <= 4, "contexts " + plan.contextsCreated());
            }
        }
    }
}
