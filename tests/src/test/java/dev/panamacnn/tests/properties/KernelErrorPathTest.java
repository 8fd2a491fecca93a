package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.reference.DropoutRef;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.reference.SoftmaxRef;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments to the reference kernels and their specs throw {@link IllegalArgumentException}
 * whose message names the problem: what was expected and what was given.
 */
class KernelErrorPathTest {

    private static void assertRejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    @Test
    void negativeStride() {
        assertRejects(() -> Conv2dSpec.of(3).stride(-1), "stride", ">= 1", "-1");
        assertRejects(() -> Conv2dSpec.of(3).stride(1, 0), "stride", ">= 1", "0");
        assertRejects(() -> Pool2dSpec.of(2).stride(-2), "stride", ">= 1", "-2");
    }

    @Test
    void otherInvalidGeometry() {
        assertRejects(() -> Conv2dSpec.of(3).padding(-1), "padding", ">= 0", "-1");
        assertRejects(() -> Conv2dSpec.of(3).dilation(0), "dilation", ">= 1", "0");
        assertRejects(() -> Conv2dSpec.of(0), "kernel", ">= 1", "0");
        assertRejects(() -> Pool2dSpec.of(2).padding(2), "padding", "half the kernel", "2x2");
    }

    @Test
    void kernelBiggerThanPaddedInput() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, 1, 2, 3, 6);
            Tensor w = Tensor.randomNormal(arena, 2, 0f, 1f, 4, 2, 7, 3);
            assertRejects(() -> ConvRef.conv2d(x, w, null, Conv2dSpec.of(7, 3).padding(1), arena),
                    "kernel height 7", "padded input height 5", "input 3");
            Tensor w3 = Tensor.randomNormal(arena, 3, 0f, 1f, 4, 2, 3, 3);
            assertRejects(() -> ConvRef.conv2d(x, w3, null, Conv2dSpec.of(3).dilation(2), arena),
                    "kernel height 3", "dilated extent 5", "padded input height 3");
            assertRejects(() -> ConvRef.im2col(x, Conv2dSpec.of(1, 9), arena),
                    "kernel width 9", "padded input width 6");
            assertRejects(() -> PoolRef.maxPool2d(x, Pool2dSpec.of(4), arena),
                    "pool kernel height 4", "padded input height 3");
            assertRejects(() -> PoolRef.avgPool2d(x, Pool2dSpec.of(2, 8).padding(0, 1, 0, 0), arena),
                    "pool kernel width 8", "padded input width 7");
        }
    }

    @Test
    void wrongWeightShape() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, 1, 3, 5, 5);
            Tensor w = Tensor.randomNormal(arena, 2, 0f, 1f, 4, 2, 3, 3);
            assertRejects(() -> ConvRef.conv2d(x, w, null, Conv2dSpec.of(3), arena),
                    "weight", "expected [4, 3, 3, 3]", "got [4, 2, 3, 3]");
            Tensor wk = Tensor.randomNormal(arena, 2, 0f, 1f, 4, 3, 3, 3);
            assertRejects(() -> ConvRef.conv2d(x, wk, null, Conv2dSpec.of(3, 5), arena),
                    "weight", "expected [4, 3, 3, 5]", "got [4, 3, 3, 3]");
            Tensor flat = Tensor.randomNormal(arena, 3, 0f, 1f, 4, 27);
            assertRejects(() -> ConvRef.conv2d(x, flat, null, Conv2dSpec.of(3), arena),
                    "weight", "4-D", "got [4, 27]");
            Tensor depthwise = Tensor.randomNormal(arena, 4, 0f, 1f, 6, 1, 3, 3);
            assertRejects(() -> ConvRef.conv2d(x, depthwise, null, Conv2dSpec.of(3).groups(2), arena),
                    "groups 2", "input channels 3");
            Tensor bias = Tensor.zeros(arena, 3);
            assertRejects(() -> ConvRef.conv2d(x, wk, bias, Conv2dSpec.of(3), arena),
                    "bias", "expected [4]", "got [3]");
            Tensor dense = Tensor.randomNormal(arena, 5, 0f, 1f, 2, 7);
            Tensor dw = Tensor.randomNormal(arena, 6, 0f, 1f, 3, 6);
            assertRejects(() -> DenseRef.linear(dense, dw, null, arena), "weight", "expected [3, 7]", "got [3, 6]");
        }
    }

    @Test
    void otherShapeMismatches() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, 2, 3, 4, 4);
            Tensor c3 = Tensor.ones(arena, 3), c4 = Tensor.ones(arena, 4);
            assertRejects(() -> NormRef.batchNormInference(x, c4, c3, c3, c3, 1e-5f, arena),
                    "gamma", "expected [3]", "got [4]");
            assertRejects(() -> NormRef.batchNormTraining(Tensor.ones(arena, 1, 3), c3, c3, c3, c3, 1e-5f, 0.1f, arena),
                    "more than 1 value per channel");
            Tensor cols = Tensor.zeros(arena, 2, 3 * 9, 5);
            assertRejects(() -> ConvRef.col2im(cols, 3, 4, 4, Conv2dSpec.of(3), arena),
                    "columns", "expected [2, 27, 4]", "got [2, 27, 5]");
            assertRejects(() -> SoftmaxRef.softmax(Tensor.ones(arena, 2, 3), 2, arena), "axis 2", "[2, 3]");
            assertRejects(() -> DropoutRef.dropoutTraining(x, 1.5f, Tensor.rng(1), arena), "[0, 1]", "1.5");
            assertRejects(() -> DropoutRef.dropoutTraining(x, Float.NaN, Tensor.rng(1), arena), "[0, 1]", "NaN");
            assertRejects(() -> PoolRef.globalAvgPool(Tensor.ones(arena, 2, 3), arena), "4-D", "got [2, 3]");
        }
    }
}
