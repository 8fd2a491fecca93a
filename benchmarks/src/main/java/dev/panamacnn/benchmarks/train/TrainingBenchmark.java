package dev.panamacnn.benchmarks.train;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.train.Initializer;
import dev.panamacnn.core.train.Sgd;
import dev.panamacnn.core.train.Trainer;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training throughput: one SGD (lr 0.01, momentum 0.9) step of batch 64 per invocation, reported
 * as samples/s (ops/s with 64 operations per invocation). The peer is PyTorch CPU,
 * {@code tools/bench/pytorch_train_mnist.py}, run beside it (BENCHMARKS.md). Run:
 * {@code java -jar benchmarks/target/benchmarks.jar Training -p threads=1}.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingBenchmark {
    static final int BATCH = 64;

    @Param({"lenet", "cnn-bn"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Model net;
    private TrainingKernels kernels;
    private Sgd sgd;
    private Trainer trainer;
    private Tensor x;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        Shape in = Shape.of(BATCH, 1, 28, 28);
        arena = Arena.ofShared();
        net = Model.init(TrainingModels.byName(model), in, 1);
        Initializer.PYTORCH_DEFAULT.apply(net.params(), 1);
        kernels = SimdTraining.create(threads);
        if (!kernels.name().equals("simd")) throw new IllegalStateException("simd training kernels unavailable");
        sgd = Sgd.of(0.01).momentum(0.9);
        trainer = new Trainer(net, sgd, kernels, 3);
        x = Tensor.randomNormal(arena, 2, 0f, 1f, in.dims());
        labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = i % 10;
        // Check before timing: a few steps on one batch lower its loss.
        double first = trainer.step(x, labels).loss(), last = first;
        for (int i = 0; i < 20; i++) last = trainer.step(x, labels).loss();
        if (!(last < first)) throw new IllegalStateException("training does not lower the loss: " + first + " -> " + last);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        sgd.close();
        kernels.close();
        net.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Trainer.Result step() {
        return trainer.step(x, labels);
    }
}
