package dev.panamacnn.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import dev.panamacnn.tests.AllocationSites;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Imported models allocate nothing per run either: the graph operators (transpose, slice, pad,
 * reduce-mean, matmul, broadcasting arithmetic, concat, constants) run allocation-free once
 * warmed up, like the convolutions. (The reference backend is the readable specification and
 * makes no such promise: its kernels check shapes and allocate small arrays on every call.)
 */
class OnnxAllocationTest {

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"op_zoo_11, simd", "op_zoo_13, simd", "op_zoo_17, simd", "mobilenet_v2_narrow, simd"})
    void warmedUpRunsAllocateNothing(String name, String backendName) throws IOException {
        Backend backend = backendName.equals("simd") ? SimdBackends.fastest() : ReferenceBackend.INSTANCE;
        Path dir = OnnxGoldenTest.DIR.resolve(name);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            try (OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"), x.shape());
                 CompiledModel plan = m.compile(CompileOptions.of(backend).threads(2))) {
                Tensor y = Tensor.allocate(arena, plan.outputShape());
                long deadline = System.nanoTime() + 60_000_000_000L;
                long allocated;
                int rounds = 0;
                do {
                    long before = mx.getThreadAllocatedBytes(tid);
                    for (int i = 0; i < 50; i++) plan.run(x, y);
                    allocated = mx.getThreadAllocatedBytes(tid) - before;
                    rounds++;
                } while (allocated != 0 && System.nanoTime() < deadline);
                String where = allocated == 0 ? "" : "; " + AllocationSites.of(() -> {
                    for (int i = 0; i < 50; i++) plan.run(x, y);
                });
                assertEquals(0, allocated, name + ": heap bytes allocated by 50 runs after " + rounds + " rounds of warm-up" + where);
            }
        }
    }
}
