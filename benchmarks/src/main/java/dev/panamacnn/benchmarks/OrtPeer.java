package dev.panamacnn.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.panamacnn.core.Shape;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime (Java, CPU provider) on one model with a fixed input, configured as a fair peer:
 * all graph optimisations, {@code threads} intra-op threads, one inter-op thread, sequential
 * execution. The input tensor is created once; each {@link #run()} returns the output values.
 */
final class OrtPeer implements AutoCloseable {
    private final OrtSession session;
    private final OnnxTensor input;
    private final String inputName;

    OrtPeer(Path model, Shape shape, float[] x, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = options(threads)) {
            session = env.createSession(model.toString(), o);
        }
        inputName = session.getInputNames().iterator().next();
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) dims[i] = shape.dim(i);
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
    }

    /**
     * The peer's session options (the caller closes them): all graph optimisations, {@code threads}
     * intra-op threads, one inter-op thread, sequential. With {@code -Dpanama.bench.ortSpinning=false}
     * idle intra-op threads block instead of spinning (slower for ONNX Runtime, but on 2 cores its
     * spinning otherwise steals a core from whatever runs next).
     */
    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        if (!Boolean.parseBoolean(System.getProperty("panama.bench.ortSpinning", "true"))) {
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return o;
    }

    /** One inference; the output's values in row-major order. */
    float[] run() throws OrtException {
        try (OrtSession.Result r = session.run(Map.of(inputName, input))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /** One inference without copying the output out (for timing). */
    void runOnly() throws OrtException {
        session.run(Map.of(inputName, input)).close();
    }

    @Override
    public void close() throws OrtException {
        input.close();
        session.close();
    }
}
