package dev.panamacnn.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.MnistCnnBn;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.ops.Activation;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerApiTest {

    @Test
    void convParameterCountIsWeightsPlusBias() {
        Summary s = Summary.of(Conv2d.of(3, 64, 3).padding(1), Shape.of(1, 3, 32, 32));
        assertEquals(3 * 3 * 3 * 64 + 64, s.totalParameters()); // 1,792
        assertEquals(Shape.of(1, 64, 32, 32), s.output());
    }

    @Test
    void poolingAndActivationsHaveNoParameters() {
        Shape in = Shape.of(2, 8, 9, 9);
        for (Layer l : List.of(Pool2d.max(3, 2, 1), Pool2d.avg(2, 2, 0), GlobalPool.avg(), GlobalPool.max(),
                Act.relu(), Act.relu6(), new Dropout(0.5f), new Flatten())) {
            assertEquals(0, Summary.of(l, in).totalParameters(), l.describe());
            assertTrue(l.variables().isEmpty(), l.describe());
        }
    }

    @Test
    void resNet18MatchesTorchvision() {
        Summary s = Summary.of(ResNet18.build(), ResNet18.INPUT);
        assertEquals(11_689_512, s.totalParameters());
        assertEquals(Shape.of(1, 1000), s.output());
        // ~1.82 G multiply-adds, as commonly quoted for ResNet-18 at 224×224.
        assertEquals(1.82e9, s.totalFlops() / 2.0, 0.02e9);
        assertEquals(61_706, Summary.of(LeNet5.build(), LeNet5.INPUT).totalParameters());
        assertEquals(9_122, Summary.of(MnistCnnBn.build(), MnistCnnBn.INPUT).totalParameters());
    }

    @Test
    void variableNamesMatchTorchvisionStateDict() {
        try (Model m = Model.init(ResNet18.build(), ResNet18.INPUT, 1)) {
            for (String name : List.of("conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight",
                    "layer1.1.bn2.bias", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight",
                    "layer4.1.conv2.weight", "fc.weight", "fc.bias")) {
                assertTrue(m.params().contains(name), name);
            }
            assertTrue(m.state().contains("layer3.0.downsample.1.running_var"));
            assertEquals(62, m.params().size()); // torchvision resnet18: 62 parameter tensors
            assertEquals(11_689_512, m.params().count());
            assertEquals(Shape.of(128, 64, 1, 1), m.params().shape("layer2.0.downsample.0.weight"));
        }
    }

    @Test
    void weightsLoadByNameWithShapeCheck() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 3)) {
            float[] w = new float[10 * 84];
            w[5] = 1f;
            m.params().load("fc3.weight", w);
            assertEquals(1f, m.params().get("fc3.weight").get(0, 5));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> m.params().load("fc3.weight", Tensor.zeros(arena, 84, 10)));
            assertTrue(e.getMessage().contains("[10, 84]") && e.getMessage().contains("[84, 10]"), e.getMessage());
            var missing = assertThrows(IllegalArgumentException.class, () -> m.params().get("fc4.weight"));
            assertTrue(missing.getMessage().contains("fc4.weight"), missing.getMessage());
        }
    }

    @Test
    void seededInitIsReproducible() {
        try (Model a = Model.init(LeNet5.build(), LeNet5.INPUT, 9);
             Model b = Model.init(LeNet5.build(), LeNet5.INPUT, 9);
             Model c = Model.init(LeNet5.build(), LeNet5.INPUT, 10)) {
            assertArrayEquals(a.params().get("conv2.weight").toArray(), b.params().get("conv2.weight").toArray());
            assertNotEquals(a.params().get("conv2.weight").getFlat(0), c.params().get("conv2.weight").getFlat(0));
        }
    }

    @Test
    void wrongInputShapeNamesExpectedAndActualBeforeAnyWork() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 1)) {
            Tensor bad = Tensor.zeros(arena, 1, 1, 32, 32);
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(bad, Mode.INFERENCE, arena));
            assertTrue(e.getMessage().contains("[N, 1, 28, 28]") && e.getMessage().contains("[1, 1, 32, 32]"),
                    e.getMessage());
            // Another batch size is fine.
            assertEquals(Shape.of(3, 10), m.forward(Tensor.zeros(arena, 3, 1, 28, 28), Mode.INFERENCE, arena).shape());
        }
    }

    @Test
    void mismatchedLayersAreRejectedAtInit() {
        Layer bad = Sequential.of(Conv2d.of(3, 8, 3), Conv2d.of(4, 8, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> Model.init(bad, Shape.of(1, 3, 16, 16), 0));
        assertTrue(e.getMessage().contains("input channels expected 4, got 8"), e.getMessage());
        Layer noProjection = Residual.identity(Conv2d.of(8, 16, 3).padding(1), Activation.RELU);
        var r = assertThrows(IllegalArgumentException.class, () -> Summary.of(noProjection, Shape.of(1, 8, 5, 5)));
        assertTrue(r.getMessage().contains("projection"), r.getMessage());
    }

    @Test
    void trainingModeUpdatesRunningStatsAndInferenceDoesNot() {
        Layer net = Sequential.builder().add("bn", BatchNorm.of(4)).build();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, Shape.of(8, 4), 1)) {
            Tensor x = Tensor.randomNormal(arena, 2, 3f, 2f, 8, 4);
            m.forward(x, Mode.INFERENCE, arena);
            assertEquals(0f, m.state().get("bn.running_mean").getFlat(0));
            m.forward(x, Mode.training(1), arena);
            float rm = m.state().get("bn.running_mean").getFlat(0);
            assertTrue(rm > 0.1f && rm < 0.5f, "running mean moved 10% toward ~3: " + rm);
        }
    }

    @Test
    void dropoutIsIdentityInInferenceAndSeededInTraining() {
        Layer net = Sequential.builder().add("drop", new Dropout(0.5f)).build();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, Shape.of(1, 100), 1)) {
            Tensor x = Tensor.randomNormal(arena, 2, 0f, 1f, 1, 100);
            assertArrayEquals(x.toArray(), m.forward(x, Mode.INFERENCE, arena).toArray());
            float[] a = m.forward(x, Mode.training(5), arena).toArray();
            float[] b = m.forward(x, Mode.training(5), arena).toArray();
            float[] c = m.forward(x, Mode.training(6), arena).toArray();
            assertArrayEquals(a, b);
            assertTrue(!java.util.Arrays.equals(a, c), "another seed drops other units");
        }
    }

    @Test
    void residualAddsTheSkipConnection() {
        // body = 1×1 conv with zero weights: y = relu(0 + x) = relu(x)
        Layer block = Residual.identity(Sequential.builder().add("conv", Conv2d.of(2, 2, 1).noBias()).build(),
                Activation.RELU);
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(block, Shape.of(1, 2, 3, 3), 1)) {
            m.params().get("conv.weight").fill(0f);
            Tensor x = Tensor.randomNormal(arena, 4, 0f, 1f, 1, 2, 3, 3);
            float[] y = m.forward(x, Mode.INFERENCE, arena).toArray();
            float[] xs = x.toArray();
            for (int i = 0; i < xs.length; i++) assertEquals(Math.max(xs[i], 0f), y[i]);
        }
    }
}
