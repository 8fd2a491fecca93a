package dev.panamacnn.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime's own per-node timings for a model, to set beside {@code bench --profile}: runs
 * the model with profiling on and prints the path of the JSON trace ONNX Runtime wrote
 * ({@code tools/bench/compare_profiles.py} turns both into one per-layer table).
 *
 * <pre>OrtLayerProfile MODEL.onnx RUNS THREADS OUT_PREFIX</pre>
 */
public final class OrtLayerProfile {
    private OrtLayerProfile() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: OrtLayerProfile MODEL.onnx RUNS THREADS OUT_PREFIX");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]), threads = Integer.parseInt(args[2]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = OrtPeer.options(threads)) {
            o.enableProfiling(args[3]);
            try (OrtSession s = env.createSession(model.toString(), o)) {
                var info = (ai.onnxruntime.TensorInfo) s.getInputInfo().values().iterator().next().getInfo();
                long[] shape = info.getShape();
                if (shape[0] < 0) shape[0] = 1; // a symbolic batch
                int n = 1;
                for (long d : shape) n *= (int) d;
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = (float) Math.sin(i);
                String input = s.getInputNames().iterator().next();
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape)) {
                    for (int i = 0; i < runs; i++) {
                        try (var r = s.run(Map.of(input, t))) {
                            // outputs unused: only the trace matters
                        }
                    }
                }
                System.out.println(s.endProfiling());
            }
        }
    }
}
