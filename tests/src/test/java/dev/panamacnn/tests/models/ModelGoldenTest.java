package dev.panamacnn.tests.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.io.Npy;
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
import dev.panamacnn.core.layers.Variables;
import dev.panamacnn.core.testing.Tolerance;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Whole networks built with the layer API, with weights PyTorch initialised and saved under
 * their state_dict names (tools/golden/make_model_golden.py), give PyTorch's outputs — in
 * inference and, for batch-norm, in training mode including the running-statistics update.
 */
class ModelGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/models");

    /** The same network as make_model_golden.py's mini_resnet, with torchvision's BasicBlock. */
    static Layer miniResNet() {
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 8, 3).padding(1).noBias())
                .add("bn1", BatchNorm.of(8))
                .add("relu", Act.relu())
                .add("maxpool", Pool2d.max(3, 2, 1))
                .add("layer1", Sequential.of(ResNet18.basicBlock(8, 8, 1)))
                .add("layer2", Sequential.of(ResNet18.basicBlock(8, 16, 2)))
                .add("avgpool", GlobalPool.avg())
                .add("flatten", new Flatten())
                .add("fc", Linear.of(16, 5))
                .build();
    }

    @Test
    void leNet5MatchesPyTorch() throws IOException {
        Path dir = DIR.resolve("lenet5");
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 0)) {
            loadAll(m.params(), dir.resolve("params"), arena);
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            assertEquals(Shape.of(3, 1, 28, 28), x.shape());
            compare("lenet5 inference", Npy.read(dir.resolve("y_eval.npy"), arena),
                    m.forward(x, Mode.INFERENCE, arena));
        }
    }

    @Test
    void miniResNetMatchesPyTorchInInferenceAndTraining() throws IOException {
        Path dir = DIR.resolve("mini_resnet");
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(miniResNet(), Shape.of(2, 3, 20, 20), 0)) {
            loadAll(m.params(), dir.resolve("params"), arena);
            loadAll(m.state(), dir.resolve("state"), arena);
            Tensor x = Npy.read(dir.resolve("x.npy"), arena);
            compare("mini_resnet inference", Npy.read(dir.resolve("y_eval.npy"), arena),
                    m.forward(x, Mode.INFERENCE, arena));
            compare("mini_resnet training", Npy.read(dir.resolve("y_train.npy"), arena),
                    m.forward(x, Mode.training(0), arena));
            for (String name : names(dir.resolve("state_after"))) {
                compare(name + " after one training step", Npy.read(dir.resolve("state_after").resolve(name + ".npy"), arena),
                        m.state().get(name));
            }
        }
    }

    /** Loads every file of {@code dir} by name and checks that the names are exactly the model's. */
    private static void loadAll(Variables vars, Path dir, Arena arena) throws IOException {
        Set<String> files = names(dir);
        assertEquals(new TreeSet<>(vars.names()), files, "variable names in Java vs PyTorch state_dict");
        for (String name : files) vars.load(name, Npy.read(dir.resolve(name + ".npy"), arena));
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString().replaceFirst("\\.npy$", ""))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** Deep nets compound rounding: 1e-4 relative, absolute scaled by the output's magnitude. */
    private static void compare(String what, Tensor expected, Tensor actual) {
        double scale = Tolerance.rms(expected.toArray());
        new Tolerance(1e-4, 1e-4 * scale, 4).assertClose(what, expected, actual);
    }
}
