package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;
import dev.panamacnn.core.reference.PoolBackwardRef;

/**
 * Global average or max pooling: {@code [N, C, H, W] -> [N, C, 1, 1]}, one value per channel
 * whatever H×W is. No trainable parameters.
 */
public record GlobalPool(boolean maximum) implements Layer, Trainable {

    public static GlobalPool avg() {
        return new GlobalPool(false);
    }

    public static GlobalPool max() {
        return new GlobalPool(true);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(describe() + ": input must be 4-D [N, C, H, W], got " + input);
        }
        return Shape.of(input.dim(0), input.dim(1), 1, 1);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return maximum ? PoolRef.globalMaxPool(x, scope.arena()) : PoolRef.globalAvgPool(x, scope.arena());
    }

    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Tensor y = tape.uninitialized(outputShape(x.shape()));
        if (maximum) PoolRef.globalMaxPool(x, y);
        else PoolRef.globalAvgPool(x, y);
        return new Pass(y, dy -> {
            if (!inputGrad) return null;
            Tensor dx = tape.uninitialized(x.shape());
            if (maximum) PoolBackwardRef.globalMaxPoolBackward(x, dy, dx);
            else PoolBackwardRef.globalAvgPoolBackward(dy, dx);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        return input.size();
    }

    @Override
    public String describe() {
        return maximum ? "GlobalMaxPool" : "GlobalAvgPool";
    }
}
