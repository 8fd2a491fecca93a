package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.reference.BinaryRef;
import java.util.List;

/** {@code y = a op b} element-wise (add, sub, mul, div) with NumPy broadcasting: skip connections, SE scaling, normalisation. */
public record Binary(BinaryOp op) implements GraphOp {

    public static Binary add() {
        return new Binary(BinaryOp.ADD);
    }

    public static Binary mul() {
        return new Binary(BinaryOp.MUL);
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return Broadcast.shape(inputs.get(0), inputs.get(1));
    }

    @Override
    public Tensor apply(Scope scope, List<Tensor> inputs) {
        return BinaryRef.apply(op, inputs.get(0), inputs.get(1), scope.arena());
    }

    @Override
    public long flops(List<Shape> inputs) {
        return outputShape(inputs).size();
    }

    @Override
    public String describe() {
        return op.title();
    }
}
