package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.LayoutRef;
import java.util.Arrays;

/** Permutes the axes: output axis k is input axis {@code perm[k]} (a copy). */
public record Transpose(int[] perm) implements Layer {

    public Transpose {
        perm = perm.clone();
    }

    @Override
    public Shape outputShape(Shape input) {
        return LayoutRef.transposeShape(input, perm);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(x.shape()));
        LayoutRef.transpose(x, perm, y);
        return y;
    }

    @Override
    public String describe() {
        return "Transpose" + Arrays.toString(perm);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transpose t && Arrays.equals(perm, t.perm);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(perm);
    }

    @Override
    public String toString() {
        return describe();
    }
}
