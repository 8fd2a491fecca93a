package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.LayoutRef;
import java.util.Arrays;

/**
 * Constant padding: {@code pads} holds the amount added before each axis, then after each axis
 * (ONNX order: x1_begin, x2_begin, …, x1_end, x2_end, …); negative amounts crop.
 */
public record Pad(int[] pads, float value) implements Layer {

    public Pad {
        pads = pads.clone();
        if (pads.length % 2 != 0) throw new IllegalArgumentException("pads must have an even length, got " + Arrays.toString(pads));
    }

    @Override
    public Shape outputShape(Shape input) {
        return LayoutRef.padShape(input, pads);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(x.shape()));
        LayoutRef.pad(x, pads, value, y);
        return y;
    }

    @Override
    public String describe() {
        return "Pad" + Arrays.toString(pads) + (value == 0f ? "" : " with " + value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pad p && Arrays.equals(pads, p.pads) && Float.compare(value, p.value) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pads) * 31 + Float.hashCode(value);
    }

    @Override
    public String toString() {
        return describe();
    }
}
