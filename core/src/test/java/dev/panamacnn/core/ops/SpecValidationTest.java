package dev.panamacnn.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.reference.EltwiseRef;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** Bad arguments give an IllegalArgumentException that names the problem. */
class SpecValidationTest {

    private static void assertMessage(Runnable r, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void negativeOrZeroStrideIsRejected() {
        assertMessage(() -> Conv2dSpec.of(3).stride(-1), "stride", "-1");
        assertMessage(() -> Conv2dSpec.of(3).stride(0), "stride", "0");
        assertMessage(() -> Pool2dSpec.of(2).stride(-2), "stride", "-2");
    }

    @Test
    void negativePaddingAndBadGroupsAreRejected() {
        assertMessage(() -> Conv2dSpec.of(3).padding(-1), "padding", "-1");
        assertMessage(() -> Conv2dSpec.of(3).groups(3).weightShape(4, 6), "groups 3", "4", "6");
        assertMessage(() -> Pool2dSpec.of(2).padding(2), "half the kernel");
    }

    @Test
    void kernelLargerThanPaddedInputIsRejected() {
        assertMessage(() -> Conv2dSpec.of(7).padding(1).outH(4), "kernel height 7", "padded input height 6");
        assertMessage(() -> Conv2dSpec.of(3).dilation(3).outW(5), "dilated extent 7", "padded input width 5");
        assertMessage(() -> Pool2dSpec.of(5).outH(3), "pool kernel height 5", "3");
    }

    @Test
    void outputSizeFormula() {
        // floor((224 + 3 + 3 - 1*(7-1) - 1) / 2) + 1 = 112
        assertEquals(112, Conv2dSpec.of(7).stride(2).padding(3).outH(224));
        assertEquals(3, Conv2dSpec.of(3).dilation(2).outW(7));
        assertEquals(4, Conv2dSpec.of(3).padding(1, 0, 0, 0).outH(5)); // asymmetric: (5 + 1 + 0 - 3) / 1 + 1
    }

    @Test
    void wrongShapesNameExpectedAndActual() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, 1, 3, 8, 8);
            Tensor w = Tensor.zeros(arena, 4, 2, 3, 3);
            assertMessage(() -> ConvRef.conv2d(x, w, null, Conv2dSpec.of(3), arena),
                    "weight shape expected [4, 3, 3, 3]", "got [4, 2, 3, 3]");
            assertMessage(() -> ConvRef.conv2d(Tensor.zeros(arena, 3, 8, 8), w, null, Conv2dSpec.of(3), arena),
                    "4-D", "[3, 8, 8]");
            Tensor good = Tensor.zeros(arena, 4, 3, 3, 3);
            assertMessage(() -> ConvRef.conv2d(x, good, Tensor.zeros(arena, 5), Conv2dSpec.of(3), arena),
                    "bias shape expected [4]", "got [5]");
            assertMessage(() -> DenseRef.linear(Tensor.zeros(arena, 2, 5), Tensor.zeros(arena, 3, 4), null, arena),
                    "weight shape expected [3, 5]", "got [3, 4]");
            assertMessage(() -> EltwiseRef.add(Tensor.zeros(arena, 2, 3), Tensor.zeros(arena, 3, 2), arena),
                    "[2, 3]", "[3, 2]");
        }
        assertEquals(Shape.of(1, 4, 6, 6), Conv2dSpec.of(3).outputShape(Shape.of(1, 3, 8, 8), 4));
    }
}
