package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.MatMulRef;
import java.util.List;

/** Matrix product of two tensors with NumPy {@code matmul} semantics ({@link MatMulRef}). */
public record MatMul() implements GraphOp {

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return MatMulRef.outputShape(inputs.get(0), inputs.get(1));
    }

    @Override
    public Tensor apply(Scope scope, List<Tensor> inputs) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(List.of(inputs.get(0).shape(), inputs.get(1).shape())));
        MatMulRef.matmul(inputs.get(0), inputs.get(1), y);
        return y;
    }

    @Override
    public long flops(List<Shape> inputs) {
        Shape a = inputs.get(0);
        return 2 * outputShape(inputs).size() * a.dim(-1);
    }

    @Override
    public String describe() {
        return "MatMul";
    }
}
