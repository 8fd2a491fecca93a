package dev.panamacnn.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamacnn.opencl.OpenCl;
import dev.panamacnn.opencl.OpenClBackend;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX fixtures of {@link OnnxGoldenTest} compiled for the OpenCL backend (PoCL here; any
 * device with {@code -Dpanamacnn.opencl.device=…}) give PyTorch's output. Every operator the
 * importer produces has a device kernel, so no step may fall back to host memory. Without OpenCL
 * the tests are skipped with a notice, except when the environment variable {@code CI} is set.
 */
class OnnxOpenClTest {
    private static OpenClBackend cl;

    @BeforeAll
    static void openBackend() {
        String reason = OpenCl.unavailableReason();
        if (reason != null) {
            if (System.getenv("CI") != null) fail("CI is set, so OpenCL must be usable: " + reason);
            System.err.println("NOTICE: OpenCL ONNX tests SKIPPED: " + reason);
            Assumptions.abort("OpenCL unavailable: " + reason);
        }
        cl = OpenClBackend.create();
    }

    @AfterAll
    static void closeBackend() {
        if (cl != null) cl.close();
    }

    static Stream<String> fixtures() {
        return Stream.of("mobilenet_v2_narrow", "resnet_narrow", "resnet_narrow_bn", "op_zoo_11", "op_zoo_13", "op_zoo_17");
    }

    @ParameterizedTest(name = "{0} on opencl")
    @MethodSource("fixtures")
    void matchesPyTorch(String name) throws IOException {
        List<String> steps = OnnxGoldenTest.check(OnnxGoldenTest.DIR.resolve(name), cl, 1, false);
        assertTrue(steps.getFirst().startsWith("TRANSFER") && steps.getLast().startsWith("TRANSFER"),
                "one upload, one download: " + steps);
        if (name.startsWith("op_zoo")) {
            List<String> kinds = steps.stream().map(s -> s.split(" ")[0]).distinct().toList();
            assertTrue(kinds.containsAll(List.of("BINARY", "SLICE", "CONCAT", "TRANSPOSE", "PAD", "CONST", "ACT")),
                    "the graph operators run as device kernels: " + kinds);
        }
    }
}
