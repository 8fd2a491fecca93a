package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.core.reference.LayoutRef;

/** Strided slice along some axes ({@link SliceSpec}, ONNX semantics); a copy. */
public record Slice(SliceSpec spec) implements Layer {

    @Override
    public Shape outputShape(Shape input) {
        return spec.resolve(input).output();
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(x.shape()));
        LayoutRef.slice(x, spec, y);
        return y;
    }

    @Override
    public String describe() {
        return "Slice(" + spec + ")";
    }
}
