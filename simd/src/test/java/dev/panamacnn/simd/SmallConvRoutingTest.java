package dev.panamacnn.simd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.ops.Conv2dSpec;
import org.junit.jupiter.api.Test;

/**
 * Which training convolutions skip im2col: the small layers the direct paths were measured on
 * take them, and larger layers keep the packed GEMM. (That the paths compute the same as the
 * reference is FastTrainingKernelsTest's job, in the tests module.)
 */
class SmallConvRoutingTest {

    @Test
    void lenetAndCnnBnLayersTakeTheDirectPaths() {
        // LeNet conv1 (1 → 6, 5×5 pad 2, 28²) and cnn-bn conv1 (1 → 8, 3×3 pad 1, 28²): planes.
        assertTrue(PlaneConv.applies(Conv2dSpec.of(5).padding(2), 1, 28, 28));
        assertTrue(PlaneConv.applies(Conv2dSpec.of(3).padding(1), 1, 28, 28));
        // LeNet conv2 (6 → 16, 5×5, 14² → 10²) and cnn-bn conv2 (8 → 16, 3×3 pad 1, 14²): channels.
        assertFalse(PlaneConv.applies(Conv2dSpec.of(5), 6, 14, 14));
        assertTrue(ChannelConv.applies(Conv2dSpec.of(5), 6, 16, 100));
        assertTrue(ChannelConv.applies(Conv2dSpec.of(3).padding(1), 8, 16, 196));
    }

    @Test
    void largerLayersKeepTheGemm() {
        // ResNet's 64 → 64 3×3 on 56² and its 3 → 64 7×7 stride-2 stem: too many pixels for channels,
        // too many taps or a stride for planes.
        assertFalse(PlaneConv.applies(Conv2dSpec.of(3).padding(1), 64, 56, 56));
        assertFalse(ChannelConv.applies(Conv2dSpec.of(3).padding(1), 64, 64, 56 * 56));
        assertFalse(PlaneConv.applies(Conv2dSpec.of(7).stride(2).padding(3), 3, 224, 224));
        assertFalse(ChannelConv.applies(Conv2dSpec.of(7).stride(2).padding(3), 3, 64, 112 * 112));
        // A 1×1 has no im2col expansion to save; planes past L1 are not taken either.
        assertFalse(PlaneConv.applies(Conv2dSpec.of(1), 16, 8, 8));
        assertFalse(PlaneConv.applies(Conv2dSpec.of(3).padding(1), 2, 64, 64));
        // Few taps but strided: not planes, and not channels (the GEMM handles it as before).
        assertFalse(PlaneConv.applies(Conv2dSpec.of(3).stride(2).padding(1), 1, 28, 28));
        assertFalse(ChannelConv.applies(Conv2dSpec.of(3).stride(2).padding(1), 1, 16, 196));
        // Output channels not in whole vectors, or more than 64 of them.
        assertFalse(ChannelConv.applies(Conv2dSpec.of(5), 6, 12, 100));
        assertFalse(ChannelConv.applies(Conv2dSpec.of(5), 6, 80, 100));
    }
}
