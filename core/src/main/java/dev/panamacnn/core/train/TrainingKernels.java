package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.ConvBackwardRef;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.DenseBackwardRef;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.reference.DropoutRef;
import dev.panamacnn.core.reference.EltwiseBackwardRef;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.reference.LossRef;
import dev.panamacnn.core.reference.NormBackwardRef;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.reference.PoolBackwardRef;
import dev.panamacnn.core.reference.PoolRef;
import java.util.random.RandomGenerator;

/**
 * The kernels a training step runs, forward and backward: the SPI through which a faster
 * backend (simd's {@code SimdTraining}) plugs in. Every method has the reference kernel as its
 * default, so {@link #reference()} is this interface with nothing overridden and an
 * implementation overrides only what it makes faster. Chosen explicitly by the caller, never
 * found on the class path.
 *
 * <p>Contract shared by all methods: outputs named {@code out} and {@code dx} are overwritten
 * (and need not be zeroed); parameter gradients ({@code dw}, {@code db}, {@code dgamma},
 * {@code dbeta}) are added to; nullable arguments say so. Results must equal the reference
 * within float rounding, and for a given implementation and thread count be bit-identical from
 * run to run.
 */
public interface TrainingKernels extends AutoCloseable {

    /** The reference kernels: plain loops, sums in double, single-threaded. */
    static TrainingKernels reference() {
        return ReferenceTrainingKernels.INSTANCE;
    }

    /** A short name for logs ("reference", "simd"). */
    default String name() {
        return "reference";
    }

    /** {@code bias} may be null. */
    default void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Tensor out) {
        ConvRef.conv2d(x, w, bias, spec, out);
    }

    /** {@code dx} and {@code db} may be null. */
    default void conv2dBackward(Tensor x, Tensor w, Conv2dSpec spec, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        ConvBackwardRef.backward(x, w, spec, dy, dx, dw, db);
    }

    /** {@code bias} may be null. */
    default void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        DenseRef.linear(x, w, bias, out);
    }

    /** {@code dx} and {@code db} may be null. */
    default void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        DenseBackwardRef.backward(x, w, dy, dx, dw, db);
    }

    default void activation(Tensor x, Activation act, Tensor out) {
        EltwiseRef.activation(x, act, out);
    }

    default void activationBackward(Tensor x, Activation act, Tensor dy, Tensor dx) {
        EltwiseBackwardRef.activation(x, act, dy, dx);
    }

    default void add(Tensor a, Tensor b, Tensor out) {
        EltwiseRef.add(a, b, out);
    }

    default void maxPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        PoolRef.maxPool2d(x, spec, out);
    }

    default void maxPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        PoolBackwardRef.maxPool2dBackward(x, spec, dy, dx);
    }

    default void avgPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        PoolRef.avgPool2d(x, spec, out);
    }

    default void avgPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        PoolBackwardRef.avgPool2dBackward(x, spec, dy, dx);
    }

    /** Training-mode batch-norm; also updates the running statistics and saves μ and 1/σ. */
    default void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float eps, float momentum, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        NormRef.batchNormTraining(x, gamma, beta, runningMean, runningVar, eps, momentum, out, saveMean, saveInvStd);
    }

    default void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps,
                                    Tensor out) {
        NormRef.batchNormInference(x, gamma, beta, mean, var, eps, out);
    }

    /** {@code dx} may be null. */
    default void batchNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor invStd, Tensor dy, Tensor dx,
                                   Tensor dgamma, Tensor dbeta) {
        NormBackwardRef.batchNormBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
    }

    /** Inverted dropout; {@code mask} receives each element's multiplier (0 or 1/(1 − p)). */
    default void dropout(Tensor x, float p, RandomGenerator rng, Tensor out, Tensor mask) {
        DropoutRef.dropoutTraining(x, p, rng, out, mask);
    }

    /** {@code out = a · b} element-wise. */
    default void multiply(Tensor a, Tensor b, Tensor out) {
        EltwiseBackwardRef.multiply(a, b, out);
    }

    /** Mean softmax cross-entropy over the batch; ∂L/∂logits into {@code dlogits} if non-null. */
    default double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits) {
        return LossRef.softmaxCrossEntropy(logits, labels, dlogits);
    }

    /** Frees what the implementation holds (threads, scratch); the reference holds nothing. */
    @Override
    default void close() {}
}
