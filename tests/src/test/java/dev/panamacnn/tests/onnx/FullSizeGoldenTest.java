package dev.panamacnn.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.opencl.OpenCl;
import dev.panamacnn.opencl.OpenClBackend;
import dev.panamacnn.simd.SimdBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Full-size torchvision resnet18 and mobilenet_v2 (224×224, seeded random weights) against
 * PyTorch. The models are too big to commit; generate them first and point the test at them:
 * <pre>
 *   /usr/bin/python3 tools/onnx/export_models.py --full          # writes target/onnx-full/
 *   ./mvnw -pl tests -am verify -Dtest=FullSizeGoldenTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dpanama.onnx.full=$PWD/target/onnx-full
 * </pre>
 * Skipped (not failed) when {@code panama.onnx.full} is unset. The reference backend runs the
 * compiled plan only (the layer forward of ResNet-18 takes minutes on the scalar kernels); the
 * OpenCL cases run on the default device (PoCL here) and are skipped without one.
 */
class FullSizeGoldenTest {

    @ParameterizedTest(name = "{0} on {1}, {2} thread(s)")
    @CsvSource({"resnet18, simd, 1", "resnet18, simd, 2", "mobilenet_v2, simd, 1", "mobilenet_v2, simd, 2",
            "resnet18, reference, 1", "mobilenet_v2, reference, 1", "resnet18, opencl, 1", "mobilenet_v2, opencl, 1"})
    void matchesPyTorch(String model, String backend, int threads) throws IOException {
        String dir = System.getProperty("panama.onnx.full", "");
        assumeTrue(!dir.isEmpty(), "set -Dpanama.onnx.full=DIR (see the class comment) to run the full-size models");
        Path d = Path.of(dir, model);
        assertTrue(Files.exists(d.resolve("model.onnx")), d + "/model.onnx is missing: run tools/onnx/export_models.py --full");
        if (backend.equals("opencl")) {
            assumeTrue(OpenCl.unavailableReason() == null, "OpenCL unavailable: " + OpenCl.unavailableReason());
            try (OpenClBackend cl = OpenClBackend.create()) {
                OnnxGoldenTest.check(d, cl, threads, false);
            }
            return;
        }
        var steps = OnnxGoldenTest.check(d, backend.equals("simd") ? SimdBackends.fastest() : ReferenceBackend.INSTANCE,
                threads, false);
        for (String s : steps) {
            assertTrue(!s.startsWith("ADD") && !s.startsWith("ACT") && !s.startsWith("AFFINE"), model + ": unfused step " + s);
        }
    }
}
