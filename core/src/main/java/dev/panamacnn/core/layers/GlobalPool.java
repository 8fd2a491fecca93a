package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.PoolRef;

/**
 * Global average or max pooling: {@code [N, C, H, W] -> [N, C, 1, 1]}, one value per channel
 * whatever H×W is. No trainable parameters.
 */
public record GlobalPool(boolean maximum) implements Layer {

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
    public long flops(Shape input) {
        return input.size();
    }

    @Override
    public String describe() {
        return maximum ? "GlobalMaxPool" : "GlobalAvgPool";
    }
}
