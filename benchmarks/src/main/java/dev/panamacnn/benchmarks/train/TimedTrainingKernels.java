package dev.panamacnn.benchmarks.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.train.TrainingKernels;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Wraps training kernels and adds up the wall time of each method (convolutions and pooling per
 * input shape: per layer in LeNet, while layers that share an input shape share a row), for the
 * per-phase breakdown of
 * {@link TrainingThroughput}. Not for the JMH figures: the wrapper itself costs a few nanoseconds
 * and a map lookup per call.
 */
final class TimedTrainingKernels implements TrainingKernels {
    private final TrainingKernels k;
    private final Map<String, long[]> nanos = new TreeMap<>();

    TimedTrainingKernels(TrainingKernels k) {
        this.k = k;
    }

    private void add(String phase, long start) {
        long[] t = nanos.computeIfAbsent(phase, p -> new long[2]);
        t[0] += System.nanoTime() - start;
        t[1]++;
    }

    /** Phase → {total nanoseconds, calls}. */
    Map<String, long[]> nanos() {
        return nanos;
    }

    void clear() {
        nanos.clear();
    }

    @Override
    public String name() {
        return k.name();
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Tensor out) {
        long t = System.nanoTime();
        k.conv2d(x, w, bias, spec, out);
        add("conv fwd " + x.shape(), t);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Conv2dSpec spec, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        long t = System.nanoTime();
        k.conv2dBackward(x, w, spec, dy, dx, dw, db);
        add("conv bwd " + x.shape(), t);
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        long t = System.nanoTime();
        k.linear(x, w, bias, out);
        add("linear fwd", t);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        long t = System.nanoTime();
        k.linearBackward(x, w, dy, dx, dw, db);
        add("linear bwd", t);
    }

    @Override
    public void activation(Tensor x, Activation act, Tensor out) {
        long t = System.nanoTime();
        k.activation(x, act, out);
        add("act fwd", t);
    }

    @Override
    public void activationBackward(Tensor x, Activation act, Tensor dy, Tensor dx) {
        long t = System.nanoTime();
        k.activationBackward(x, act, dy, dx);
        add("act bwd", t);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        long t = System.nanoTime();
        k.add(a, b, out);
        add("add", t);
    }

    @Override
    public void maxPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        long t = System.nanoTime();
        k.maxPool2d(x, spec, out);
        add("maxpool fwd " + x.shape(), t);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        long t = System.nanoTime();
        k.maxPool2dBackward(x, spec, dy, dx);
        add("maxpool bwd " + x.shape(), t);
    }

    @Override
    public void avgPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        long t = System.nanoTime();
        k.avgPool2d(x, spec, out);
        add("avgpool fwd", t);
    }

    @Override
    public void avgPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        long t = System.nanoTime();
        k.avgPool2dBackward(x, spec, dy, dx);
        add("avgpool bwd", t);
    }

    @Override
    public void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                  float eps, float momentum, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        long t = System.nanoTime();
        k.batchNormTraining(x, gamma, beta, runningMean, runningVar, eps, momentum, out, saveMean, saveInvStd);
        add("bn fwd", t);
    }

    @Override
    public void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps,
                                   Tensor out) {
        long t = System.nanoTime();
        k.batchNormInference(x, gamma, beta, mean, var, eps, out);
        add("bn inference", t);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor invStd, Tensor dy, Tensor dx,
                                  Tensor dgamma, Tensor dbeta) {
        long t = System.nanoTime();
        k.batchNormBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
        add("bn bwd", t);
    }

    @Override
    public void dropout(Tensor x, float p, RandomGenerator rng, Tensor out, Tensor mask) {
        long t = System.nanoTime();
        k.dropout(x, p, rng, out, mask);
        add("dropout fwd", t);
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        long t = System.nanoTime();
        k.multiply(a, b, out);
        add("dropout bwd", t);
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits) {
        long t = System.nanoTime();
        double r = k.softmaxCrossEntropy(logits, labels, dlogits);
        add("softmax-ce", t);
        return r;
    }

    @Override
    public void close() {
        k.close();
    }
}
