package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Scope;
import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * A classifier's training loop, one batch at a time: {@link #step} is forward in training mode →
 * softmax cross-entropy → backward → optimizer update, on the model's own parameters and state.
 *
 * <p>Reproducible: step k uses {@code Mode.training(seed + k)} (dropout masks), and with the same
 * model initialisation, seed, kernels and thread count the weights after any number of steps are
 * bit-identical. Intermediates live in a {@link StepArena} reused by every step, so after the
 * first step no native memory is allocated. Not thread-safe: one trainer, one thread (the
 * kernels may use a worker pool inside).
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final Optimizer optimizer;
    private final TrainingKernels kernels;
    private final long seed;
    private final Arena arena = Arena.ofShared();
    private final StepArena stepArena = new StepArena();
    private final Gradients gradients;
    private final Tape tape;
    private final Trainable net;
    private long steps;

    /** The outcome of one batch: mean loss and how many predictions (arg-max) were right. */
    public record Result(double loss, int correct, int batch) {
        public double accuracy() {
            return batch == 0 ? 0 : (double) correct / batch;
        }
    }

    /**
     * A trainer of {@code model} (whose output must be logits {@code [N, classes]}) with
     * {@code optimizer}; {@code kernels} (e.g. simd's {@code SimdTraining.create(threads)}) stay
     * the caller's to close.
     */
    public Trainer(Model model, Optimizer optimizer, TrainingKernels kernels, long seed) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.seed = seed;
        this.net = Trainable.checked(model.layer());
        if (model.outputShape().rank() != 2) {
            throw new IllegalArgumentException("Trainer needs a model whose output is logits [N, classes], got "
                    + model.outputShape());
        }
        this.gradients = Gradients.like(model.params(), arena);
        this.tape = new Tape(kernels, gradients, stepArena);
    }

    /** One training step on a batch {@code x} with its class labels. */
    public Result step(Tensor x, int[] labels) {
        model.checkInput(x.shape());
        stepArena.reset();
        gradients.zero();
        Mode mode = Mode.training(seed + steps);
        Pass pass = net.forward(tape, Scope.root(model.params(), model.state(), mode, stepArena), x, false);
        Tensor logits = pass.output();
        Tensor dlogits = tape.uninitialized(logits.shape());
        double loss = kernels.softmaxCrossEntropy(logits, labels, dlogits);
        int correct = correct(logits, labels);
        pass.backward().apply(dlogits);
        optimizer.step(model.params(), gradients);
        steps++;
        return new Result(loss, correct, labels.length);
    }

    /**
     * Loss and accuracy on a batch in inference mode (running batch-norm statistics, no
     * dropout), with the same fast kernels; changes nothing.
     */
    public Result evaluate(Tensor x, int[] labels) {
        model.checkInput(x.shape());
        stepArena.reset();
        Tensor logits = net.forward(tape, Scope.root(model.params(), model.state(), Mode.INFERENCE, stepArena), x,
                false).output();
        double loss = kernels.softmaxCrossEntropy(logits, labels, null);
        return new Result(loss, correct(logits, labels), labels.length);
    }

    /** Inference-mode logits for {@code x}, copied into {@code out}. */
    public Tensor logits(Tensor x, Arena out) {
        model.checkInput(x.shape());
        stepArena.reset();
        return net.forward(tape, Scope.root(model.params(), model.state(), Mode.INFERENCE, stepArena), x, false)
                .output().copy(out);
    }

    /** The gradients of the last step, named like the parameters. */
    public Gradients gradients() {
        return gradients;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Model model() {
        return model;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** How many rows of {@code logits [N, K]} have their maximum at the label (first maximum wins). */
    public static int correct(Tensor logits, int[] labels) {
        int n = logits.dim(0), k = logits.dim(1);
        int right = 0;
        for (int b = 0; b < n; b++) {
            int best = 0;
            float max = logits.getFlat((long) b * k);
            for (int j = 1; j < k; j++) {
                float v = logits.getFlat((long) b * k + j);
                if (v > max) {
                    max = v;
                    best = j;
                }
            }
            if (best == labels[b]) right++;
        }
        return right;
    }

    /** Frees the gradients and step memory (not the model, optimizer or kernels). */
    @Override
    public void close() {
        stepArena.close();
        arena.close();
    }
}
