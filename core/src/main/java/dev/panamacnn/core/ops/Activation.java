package dev.panamacnn.core.ops;

/**
 * An element-wise activation: its kind and, for clip, its bounds; for hard-sigmoid its slope
 * {@code alpha} and offset {@code beta}. {@link #apply(float)} is the scalar definition every
 * backend must reproduce.
 */
public record Activation(Kind kind, float min, float max, float alpha, float beta) {

    public enum Kind { IDENTITY, RELU, CLIP, SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    /** max(x, 0). */
    public static final Activation RELU = new Activation(Kind.RELU, 0f, Float.POSITIVE_INFINITY);
    /** min(max(x, 0), 6), as in MobileNet. */
    public static final Activation RELU6 = new Activation(Kind.CLIP, 0f, 6f);
    /** 1 / (1 + e^−x). */
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f, 1f);
    public static final Activation TANH = new Activation(Kind.TANH, -1f, 1f);
    /** x · max(0, min(1, x/6 + 1/2)): ONNX HardSwish, PyTorch {@code hardswish} (MobileNetV3). */
    public static final Activation HARD_SWISH = new Activation(Kind.HARD_SWISH, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY, 1f / 6, 0.5f);

    public Activation {
        if (kind == null) throw new IllegalArgumentException("activation kind is null");
        if (!(min <= max)) {
            throw new IllegalArgumentException("clip bounds need min <= max, got [" + min + ", " + max + "]");
        }
        if (!Float.isFinite(alpha) || !Float.isFinite(beta)) {
            throw new IllegalArgumentException("activation alpha and beta must be finite, got " + alpha + ", " + beta);
        }
    }

    /** An activation without slope parameters. */
    public Activation(Kind kind, float min, float max) {
        this(kind, min, max, 0f, 0f);
    }

    /** min(max(x, lo), hi). */
    public static Activation clip(float lo, float hi) {
        return new Activation(Kind.CLIP, lo, hi);
    }

    /**
     * max(0, min(1, alpha·x + beta)): ONNX HardSigmoid (PyTorch's {@code hardsigmoid} is
     * alpha = 1/6, beta = 1/2).
     */
    public static Activation hardSigmoid(float alpha, float beta) {
        return new Activation(Kind.HARD_SIGMOID, 0f, 1f, alpha, beta);
    }

    /** Whether this is a clamp to [{@link #min()}, {@link #max()}] (identity, ReLU, ReLU6, clip), which GEMM epilogues fuse. */
    public boolean isClamp() {
        return kind == Kind.IDENTITY || kind == Kind.RELU || kind == Kind.CLIP;
    }

    public float apply(float x) {
        return switch (kind) {
            case IDENTITY -> x;
            case RELU -> x > 0 ? x : (Float.isNaN(x) ? x : 0f);
            case CLIP -> Float.isNaN(x) ? x : Math.min(Math.max(x, min), max);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) x)));
            case TANH -> (float) Math.tanh(x);
            case HARD_SIGMOID -> Float.isNaN(x) ? x : (float) Math.min(1.0, Math.max(0.0, (double) alpha * x + beta));
            case HARD_SWISH -> Float.isNaN(x) ? x
                    : (float) (x * Math.min(1.0, Math.max(0.0, (double) alpha * x + beta)));
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CLIP -> min == 0f && max == 6f ? "ReLU6" : "Clip(" + min + ", " + max + ")";
            case RELU -> "ReLU";
            case SIGMOID -> "Sigmoid";
            case TANH -> "Tanh";
            case IDENTITY -> "Identity";
            case HARD_SIGMOID -> "HardSigmoid(" + alpha + ", " + beta + ")";
            case HARD_SWISH -> "HardSwish";
        };
    }
}
