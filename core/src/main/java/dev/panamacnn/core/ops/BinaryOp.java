package dev.panamacnn.core.ops;

/** An element-wise arithmetic operator on two floats; {@link #apply} is the definition (one float operation, correctly rounded). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV;

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    /** The ONNX and PyTorch-style name: Add, Sub, Mul, Div. */
    public String title() {
        return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
