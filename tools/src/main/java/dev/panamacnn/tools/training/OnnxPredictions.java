package dev.panamacnn.tools.training;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.onnx.OnnxModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/** What a saved ONNX classifier predicts, read back as any user would: import, compile, run. */
public final class OnnxPredictions {
    private OnnxPredictions() {}

    /**
     * The arg-max class for each image of {@code images [N, C, H, W]}, run in batches of
     * {@code batch} (the last one may be smaller).
     */
    public static int[] classify(Path onnx, Tensor images, int batch, CompileOptions options) throws IOException {
        int n = images.dim(0);
        int[] classes = new int[n];
        try (Arena arena = Arena.ofConfined()) {
            for (int from = 0; from < n; ) {
                int b = Math.min(batch, n - from);
                try (OnnxModel m = OnnxModel.load(onnx, b); CompiledModel plan = m.compile(options)) {
                    // Every full batch on one plan; a shorter last batch gets its own.
                    for (; from + b <= n; from += b) {
                        long bytes = images.shape().sizeFrom(1) * Float.BYTES;
                        Tensor x = Tensor.wrap(images.segment().asSlice(from * bytes, b * bytes), images.shape().withDim(0, b));
                        int[] c = Predictions.argmax(plan.run(x, arena));
                        System.arraycopy(c, 0, classes, from, b);
                    }
                }
            }
        }
        return classes;
    }
}
