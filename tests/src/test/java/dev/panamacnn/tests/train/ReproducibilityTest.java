package dev.panamacnn.tests.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.train.Initializer;
import dev.panamacnn.core.train.Sgd;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seeded training is reproducible: the same initialisation seed, training seed and thread count
 * give bit-identical weights and batch-norm statistics after several steps with the simd
 * kernels on two threads, for LeNet-5 and for a conv–BN–ReLU–pool network with dropout.
 */
class ReproducibilityTest {
    static Layer cnnBn() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(1, 8, 3).padding(1).noBias()).add("bn1", BatchNorm.of(8)).add("relu1", Act.relu())
                .add("pool1", Pool2d.max(2, 2, 0))
                .add("conv2", Conv2d.of(8, 16, 3).padding(1).noBias()).add("bn2", BatchNorm.of(16)).add("relu2", Act.relu())
                .add("pool2", Pool2d.max(2, 2, 0))
                .add("flatten", new Flatten()).add("drop", new Dropout(0.3f)).add("fc", Linear.of(16 * 7 * 7, 10))
                .build();
    }

    private static Map<String, float[]> train(Layer net, int threads, long seed) {
        Shape in = Shape.of(16, 1, 28, 28);
        int[] labels = new int[16];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        try (Arena arena = Arena.ofShared(); Model m = Model.init(net, in, 3); TrainingKernels k = SimdTraining.create(threads);
             Sgd sgd = Sgd.of(0.05).momentum(0.9); Trainer t = new Trainer(m, sgd, k, seed)) {
            Initializer.PYTORCH_DEFAULT.apply(m.params(), 3);
            Tensor x = Tensor.randomUniform(arena, 8, 0f, 1f, in.dims());
            for (int i = 0; i < 4; i++) t.step(x, labels);
            Map<String, float[]> out = new LinkedHashMap<>();
            m.params().asMap().forEach((n, v) -> out.put(n, v.toArray()));
            m.state().asMap().forEach((n, v) -> out.put(n, v.toArray()));
            return out;
        }
    }

    @Test
    void sameSeedAndThreadsGiveBitIdenticalWeights() {
        for (Layer net : new Layer[] {LeNet5.build(), cnnBn()}) {
            Map<String, float[]> a = train(net, 2, 42), b = train(net, 2, 42);
            assertTrue(a.size() > 4);
            for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
        }
    }
}
