package dev.panamacnn.tools;

import dev.panamacnn.core.data.MnistDataset;
import dev.panamacnn.tools.training.ModelMetadata;
import java.util.Arrays;
import java.util.Map;

/**
 * The per-channel mean and std {@code run --image} normalises with, and where they came from.
 * In order of precedence: {@code --mean}/{@code --std}; the model's ONNX metadata
 * ({@value ModelMetadata#MEAN}, {@value ModelMetadata#STD}, as {@code train-mnist} writes them);
 * else by the input's channels — ImageNet's for RGB, MNIST's (0.1307, 0.3081) for grey.
 */
record InputNormalization(float[] mean, float[] std, String source) {
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f}, IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** {@code mean}/{@code std}: the command-line values, null when not given. */
    static InputNormalization resolve(float[] mean, float[] std, Map<String, String> metadata, int channels) {
        String m = metadata.get(ModelMetadata.MEAN), s = metadata.get(ModelMetadata.STD);
        InputNormalization fallback;
        if (m != null && s != null) {
            fallback = new InputNormalization(parse(ModelMetadata.MEAN, m), parse(ModelMetadata.STD, s), "the model's metadata");
        } else if (channels == 1) {
            MnistDataset.Normalization n = MnistDataset.Normalization.MNIST;
            fallback = new InputNormalization(new float[] {n.mean()}, new float[] {n.std()}, "MNIST's, the default for grey models");
        } else {
            fallback = new InputNormalization(IMAGENET_MEAN, IMAGENET_STD, "ImageNet's, the default for RGB models");
        }
        if (mean == null && std == null) return fallback;
        return new InputNormalization(mean != null ? mean : fallback.mean, std != null ? std : fallback.std,
                "--mean/--std" + (mean == null || std == null ? " and " + fallback.source : ""));
    }

    private static float[] parse(String key, String value) {
        String[] parts = value.split(",");
        float[] v = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) v[i] = Float.parseFloat(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the model's metadata " + key + " = '" + value
                    + "' is not a comma-separated list of numbers", e);
        }
        return v;
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + " (" + source + ")";
    }
}
