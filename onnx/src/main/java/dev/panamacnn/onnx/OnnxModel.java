package dev.panamacnn.onnx;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Summary;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.StringStringEntryProto;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model imported as a panama-cnn {@link Model}: a {@link Dag} of layers whose variables
 * are the ONNX initializers (and folded constants) under their ONNX names.
 *
 * <p>The import is specialised to one input shape, because shape computations in the graph
 * ({@code Shape → Gather → Reshape}) are evaluated at load time: a symbolic batch dimension is 1
 * unless {@link #load(Path, Shape)} asks for another. Everything is checked at load time;
 * malformed files and unsupported operators raise {@link OnnxFormatException}.
 *
 * <pre>{@code
 * try (OnnxModel m = OnnxModel.load(Path.of("resnet18.onnx"));
 *      CompiledModel plan = m.compile(CompileOptions.of(SimdBackends.fastest()))) {
 *     Tensor y = plan.run(x, arena);
 * }
 * }</pre>
 */
public final class OnnxModel implements AutoCloseable {
    private final Model model;
    private final String inputName;
    private final String outputName;
    private final int opset;
    private final String producer;
    private final Map<String, String> metadata;

    private OnnxModel(Model model, String inputName, String outputName, int opset, String producer,
            Map<String, String> metadata) {
        this.model = model;
        this.inputName = inputName;
        this.outputName = outputName;
        this.opset = opset;
        this.producer = producer;
        this.metadata = metadata;
    }

    /** Loads a model with the input shape it declares (a symbolic batch becomes 1). */
    public static OnnxModel load(Path file) throws IOException {
        return load(file, null);
    }

    /** Loads a model for {@code inputShape} (e.g. another batch size); null keeps the declared shape. */
    public static OnnxModel load(Path file, Shape inputShape) throws IOException {
        ModelProto proto = OnnxReader.read(file);
        Path dir = file.toAbsolutePath().getParent();
        return of(Importer.run(proto, dir, inputShape, file.toString()), proto);
    }

    /**
     * Loads a model for {@code batch} inputs: the declared input shape with its first dimension
     * replaced. A file whose batch dimension is fixed to another value is refused, since its
     * shape computations were specialised to that value when it was exported.
     */
    public static OnnxModel load(Path file, int batch) throws IOException {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        ModelProto proto = OnnxReader.read(file);
        Shape declared = Importer.declaredInput(proto, file.toString());
        Path dir = file.toAbsolutePath().getParent();
        return of(Importer.run(proto, dir, declared.withDim(0, batch), file.toString()), proto);
    }

    /** Loads a model from its bytes (external data is not available this way). */
    public static OnnxModel load(byte[] bytes, Shape inputShape) {
        ModelProto proto = OnnxReader.parse(bytes, "(bytes)");
        return of(Importer.run(proto, null, inputShape, "(bytes)"), proto);
    }

    private static OnnxModel of(Importer.Result r, ModelProto proto) {
        Model m;
        try {
            m = Model.init(r.dag(), r.inputShape(), 0);
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException("the imported graph is inconsistent: " + e.getMessage(), e);
        }
        try {
            for (Map.Entry<String, ConstTensor> w : r.weights().entrySet()) {
                Tensor t = m.params().contains(w.getKey()) ? m.params().get(w.getKey()) : m.state().get(w.getKey());
                float[] v = w.getValue().asFloats();
                MemorySegment.copy(v, 0, t.segment(), ValueLayout.JAVA_FLOAT, 0, v.length);
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) metadata.put(e.getKey(), e.getValue());
        return new OnnxModel(m, r.inputName(), r.outputName(), r.opset(), r.producer(),
                java.util.Collections.unmodifiableMap(metadata));
    }

    /** The model: layer ({@link #graph()}), parameters and state by ONNX name. */
    public Model model() {
        return model;
    }

    public Dag graph() {
        return (Dag) model.layer();
    }

    public Shape inputShape() {
        return model.inputShape();
    }

    public Shape outputShape() {
        return model.outputShape();
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    public int opset() {
        return opset;
    }

    /** Who wrote the file, e.g. "pytorch 1.13.0". */
    public String producer() {
        return producer;
    }

    /** The file's {@code metadata_props}, in file order (a repeated key keeps its last value). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Summary summary() {
        return model.summary();
    }

    /** Compiles for the model's input shape. */
    public CompiledModel compile(CompileOptions options) {
        return Compiler.compile(model, model.inputShape(), options);
    }

    @Override
    public void close() {
        model.close();
    }
}
