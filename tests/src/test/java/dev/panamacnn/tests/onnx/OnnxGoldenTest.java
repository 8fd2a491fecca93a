package dev.panamacnn.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.io.Npy;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.onnx.OnnxModel;
import dev.panamacnn.simd.SimdBackends;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models exported from PyTorch (tools/onnx/export_models.py: narrow torchvision MobileNetV2 and
 * ResNet, and a network using every other supported operator at opsets 11, 13 and 17) give
 * PyTorch's output: through the layer forward (reference kernels), and compiled for the
 * reference and the Vector API backends.
 */
class OnnxGoldenTest {
    static final Path DIR = Path.of("src/test/resources/onnx");

    static Stream<Arguments> cases() {
        return Stream.of("mobilenet_v2_narrow", "resnet_narrow", "resnet_narrow_bn", "op_zoo_11", "op_zoo_13", "op_zoo_17")
                .flatMap(m -> Stream.of(Arguments.of(m, "reference"), Arguments.of(m, "simd")));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, String backend) throws IOException {
        check(DIR.resolve(name), backend.equals("simd") ? SimdBackends.fastest() : ReferenceBackend.INSTANCE, 1);
    }

    /** Imports, runs the layer forward and the compiled plan, and compares both with y.npy. */
    static List<String> check(Path dir, Backend backend, int threads) throws IOException {
        return check(dir, backend, threads, backend == ReferenceBackend.INSTANCE);
    }

    /** As above; {@code layerForward} also runs the uncompiled layer forward (slow on big models). */
    static List<String> check(Path dir, Backend backend, int threads, boolean layerForward) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            Tensor expected = Npy.read(dir.resolve("y.npy"), arena);
            try (OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"), x.shape());
                 CompiledModel plan = m.compile(CompileOptions.of(backend).threads(threads))) {
                assertEquals(expected.shape(), m.outputShape());
                Tolerance tol = tolerance(expected);
                if (layerForward) {
                    tol.assertClose(dir.getFileName() + " layer forward", expected, m.model().forward(x, Mode.INFERENCE, arena));
                }
                tol.assertClose(dir.getFileName() + " compiled on " + backend.name(), expected, plan.run(x, arena));
                return plan.steps();
            }
        }
    }

    /**
     * Whole networks compound float32 rounding (and PyTorch folded batch-norm into the weights
     * before export, rounding them once more): 1e-4 relative, plus 2e-4 of the output's RMS.
     */
    static Tolerance tolerance(Tensor expected) {
        return new Tolerance(1e-4, 2e-4 * Tolerance.rms(expected.toArray()), 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fusedCases")
    void convNetsCompileToFusedConvolutions(String name) throws IOException {
        List<String> steps = check(DIR.resolve(name), SimdBackends.fastest(), 1);
        for (String s : steps) {
            assertTrue(!s.startsWith("ADD") && !s.startsWith("ACT") && !s.startsWith("AFFINE"),
                    name + ": every add, ReLU/clip and batch-norm joins a convolution, but found " + s + " in " + steps);
        }
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("CONV") && s.contains(" +")), "residual adds fused: " + steps);
    }

    static Stream<String> fusedCases() {
        return Stream.of("mobilenet_v2_narrow", "resnet_narrow", "resnet_narrow_bn");
    }
}
