package dev.panamacnn.core.ops;

/**
 * An element-wise activation: its kind and, for clip, its bounds. {@link #apply(float)} is the
 * scalar definition every backend must reproduce.
 */
public record Activation(Kind kind, float min, float max) {

    public enum Kind { IDENTITY, RELU, CLIP, SIGMOID, TANH }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    /** max(x, 0). */
    public static final Activation RELU = new Activation(Kind.RELU, 0f, Float.POSITIVE_INFINITY);
    /** min(max(x, 0), 6), as in MobileNet. */
    public static final Activation RELU6 = new Activation(Kind.CLIP, 0f, 6f);
    /** 1 / (1 + e^−x). */
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f, 1f);
    public static final Activation TANH = new Activation(Kind.TANH, -1f, 1f);

    public Activation {
        if (kind == null) throw new IllegalArgumentException("activation kind is null");
        if (!(min <= max)) {
            throw new IllegalArgumentException("clip bounds need min <= max, got [" + min + ", " + max + "]");
        }
    }

    /** min(max(x, lo), hi). */
    public static Activation clip(float lo, float hi) {
        return new Activation(Kind.CLIP, lo, hi);
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
        };
    }
}
