package dev.panamacnn.onnx;

import com.google.protobuf.ByteString;
import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Constant;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.GraphOp;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.MatMul;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Reshape;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.layers.Summary;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.onnx.proto.OnnxProto.AttributeProto;
import dev.panamacnn.onnx.proto.OnnxProto.GraphProto;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.panamacnn.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.panamacnn.onnx.proto.OnnxProto.TypeProto;
import dev.panamacnn.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a model built with the layer API ({@link Sequential}, {@link Residual}, {@link Dag}
 * of the supported layers) as an ONNX model (IR 8, opset 17) with its variables as
 * initializers under their names, so that {@link OnnxModel#load} — or ONNX Runtime, or PyTorch's
 * ONNX tooling — reads back the same network. {@link Options} add {@code metadata_props}
 * (e.g. how inputs were normalised in training) and a symbolic batch axis.
 */
public final class OnnxExporter {
    /** The opset written: the newest the importer reads (HardSwish needs 14). */
    public static final int OPSET = 17;
    private static final long IR_VERSION = 8;

    /** The name of the symbolic batch dimension ({@link Options#withSymbolicBatch()}). */
    public static final String BATCH_DIM = "batch";

    /**
     * How a model is written: {@code metadata} becomes the model's {@code metadata_props}
     * (string keys and values, written sorted by key); with {@code symbolicBatch} the first axis of the
     * input and output is the named dimension {@value #BATCH_DIM} rather than the model's batch
     * size, so readers may run any batch.
     */
    public record Options(boolean symbolicBatch, Map<String, String> metadata) {
        public static final Options DEFAULT = new Options(false, Map.of());

        public Options {
            metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
        }

        public Options withSymbolicBatch() {
            return new Options(true, metadata);
        }

        public Options withMetadata(Map<String, String> entries) {
            return new Options(symbolicBatch, entries);
        }
    }

    private final Model model;
    private final Options options;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("panama-cnn");
    private final Set<String> used = new HashSet<>();

    private OnnxExporter(Model model, Options options) {
        this.model = model;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Writes {@code model} to {@code file}; throws {@link IllegalArgumentException} naming a layer that cannot be exported. */
    public static void write(Model model, Path file) throws IOException {
        write(model, file, Options.DEFAULT);
    }

    /** Writes {@code model} to {@code file} with {@code options}. */
    public static void write(Model model, Path file, Options options) throws IOException {
        Files.write(file, toBytes(model, options));
    }

    /** The serialised ONNX model. */
    public static byte[] toBytes(Model model) {
        return toBytes(model, Options.DEFAULT);
    }

    /** The serialised ONNX model, written with {@code options}. */
    public static byte[] toBytes(Model model, Options options) {
        return new OnnxExporter(model, options).build().toByteArray();
    }

    private ModelProto build() {
        Map<String, Tensor> vars = new HashMap<>(model.params().asMap());
        vars.putAll(model.state().asMap());
        vars.forEach((name, t) -> graph.addInitializer(floats(name, t.shape(), t.toArray())));
        used.addAll(vars.keySet());
        used.add("input");
        String out = layer(model.layer(), "", "input");
        // The graph output must be a node output with its own name: add an Identity when the model is the identity.
        NodeProto.Builder id = NodeProto.newBuilder().setOpType("Identity").setName("output").addInput(out).addOutput("output");
        graph.addNode(id);
        if (options.symbolicBatch()) checkBatchFree();
        graph.addInput(valueInfo("input", model.inputShape(), options.symbolicBatch()));
        graph.addOutput(valueInfo("output", model.outputShape(), options.symbolicBatch()));
        ModelProto.Builder proto = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("panama-cnn")
                .setProducerVersion("0.1.0")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(graph);
        new TreeMap<>(options.metadata()).forEach((k, v) ->
                proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build();
    }

    /**
     * A symbolic batch is honest only if every layer works per sample: the model must accept
     * another batch size and keep the batch as the output's first axis (a Reshape with the
     * batch written into its target does not).
     */
    private void checkBatchFree() {
        Shape in = model.inputShape(), out = model.outputShape();
        int other = in.dim(0) + 1;
        Shape got;
        try {
            got = model.layer().outputShape(in.withDim(0, other));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("export: a symbolic batch needs a model that accepts any batch size;"
                    + " with batch " + other + ": " + e.getMessage(), e);
        }
        if (out.rank() == 0 || out.dim(0) != in.dim(0) || !got.equals(out.withDim(0, other))) {
            throw new IllegalArgumentException("export: a symbolic batch needs the batch as the output's first axis;"
                    + " input " + in + " gives " + out + ", batch " + other + " gives " + got);
        }
    }

    /** Emits the nodes of {@code layer} reading value {@code x}; returns its output value. */
    private String layer(Layer layer, String name, String x) {
        return switch (layer) {
            case Sequential s -> {
                String v = x;
                for (Layer.Child c : s.children()) v = layer(c.layer(), Summary.join(name, c.name()), v);
                yield v;
            }
            case Residual r -> {
                String skip = r.shortcut() == null ? x : layer(r.shortcut(), Summary.join(name, Residual.SHORTCUT), x);
                String main = layer(r.body(), name, x);
                String sum = node("Add", Summary.join(name, "add"), List.of(main, skip));
                yield activation(r.activation(), Summary.join(name, "act"), sum);
            }
            case Dag d -> dag(d, name, x);
            default -> unary(layer, name, x, Map.of());
        };
    }

    /** A single-input layer; {@code vars} maps its local variable names to full names (empty: dotted path). */
    private String unary(Layer layer, String name, String x, Map<String, String> vars) {
        java.util.function.Function<String, String> v = local -> vars.getOrDefault(local, Summary.join(name, local));
        return switch (layer) {
            case Conv2d c -> {
                Conv2dSpec s = c.spec();
                NodeProto.Builder n = start("Conv", name, c.bias() ? List.of(x, v.apply("weight"), v.apply("bias"))
                        : List.of(x, v.apply("weight")));
                n.addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
                        .addAttribute(ints("strides", s.strideH(), s.strideW()))
                        .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
                        .addAttribute(ints("dilations", s.dilationH(), s.dilationW()))
                        .addAttribute(intAttr("group", s.groups()));
                yield finish(n, name);
            }
            case Linear l -> {
                NodeProto.Builder n = start("Gemm", name, l.bias() ? List.of(x, v.apply("weight"), v.apply("bias"))
                        : List.of(x, v.apply("weight")));
                yield finish(n.addAttribute(intAttr("transB", 1)), name);
            }
            case BatchNorm b -> {
                NodeProto.Builder n = start("BatchNormalization", name, List.of(x, v.apply("weight"), v.apply("bias"),
                        v.apply("running_mean"), v.apply("running_var")));
                n.addAttribute(floatAttr("epsilon", b.eps())).addAttribute(floatAttr("momentum", 1f - b.momentum()));
                yield finish(n, name);
            }
            case Act a -> activation(a.activation(), name, x);
            case Pool2d p -> {
                Pool2dSpec s = p.spec();
                NodeProto.Builder n = start(p.maximum() ? "MaxPool" : "AveragePool", name, List.of(x));
                n.addAttribute(ints("kernel_shape", s.kernelH(), s.kernelW()))
                        .addAttribute(ints("strides", s.strideH(), s.strideW()))
                        .addAttribute(ints("pads", s.padTop(), s.padLeft(), s.padBottom(), s.padRight()))
                        .addAttribute(intAttr("ceil_mode", s.ceilMode() ? 1 : 0));
                if (!p.maximum()) n.addAttribute(intAttr("count_include_pad", s.countIncludePad() ? 1 : 0));
                yield finish(n, name);
            }
            case GlobalPool g -> node(g.maximum() ? "GlobalMaxPool" : "GlobalAveragePool", name, List.of(x));
            case Flatten f -> finish(start("Flatten", name, List.of(x)).addAttribute(intAttr("axis", 1)), name);
            case Dropout d -> x; // the identity at inference
            case Softmax s -> finish(start("Softmax", name, List.of(x)).addAttribute(intAttr("axis", s.axis())), name);
            case Reshape r -> node("Reshape", name, List.of(x, ints64(name + ".shape", toLongs(r.target()))));
            case Transpose t -> finish(start("Transpose", name, List.of(x)).addAttribute(ints("perm", t.perm())), name);
            case Pad p -> node("Pad", name, List.of(x, ints64(name + ".pads", toLongs(p.pads())),
                    scalar(name + ".value", p.value())));
            case Slice s -> node("Slice", name, List.of(x, ints64(name + ".starts", s.spec().starts()),
                    ints64(name + ".ends", s.spec().ends()), ints64(name + ".axes", toLongs(s.spec().axes())),
                    ints64(name + ".steps", s.spec().steps())));
            case ReduceMean m -> finish(start("ReduceMean", name, List.of(x)).addAttribute(ints("axes", m.axes()))
                    .addAttribute(intAttr("keepdims", m.keepDims() ? 1 : 0)), name);
            default -> throw new IllegalArgumentException("export: layer '" + name + "' (" + layer.describe()
                    + ") cannot be written to ONNX");
        };
    }

    private String activation(Activation a, String name, String x) {
        return switch (a.kind()) {
            case IDENTITY -> x;
            case RELU -> node("Relu", name, List.of(x));
            case CLIP -> node("Clip", name, List.of(x, scalar(name + ".min", a.min()), scalar(name + ".max", a.max())));
            case SIGMOID -> node("Sigmoid", name, List.of(x));
            case TANH -> node("Tanh", name, List.of(x));
            case HARD_SWISH -> node("HardSwish", name, List.of(x));
            case HARD_SIGMOID -> finish(start("HardSigmoid", name, List.of(x)).addAttribute(floatAttr("alpha", a.alpha()))
                    .addAttribute(floatAttr("beta", a.beta())), name);
        };
    }

    private String dag(Dag d, String prefix, String x) {
        Map<String, String> values = new HashMap<>();
        values.put(d.input(), x);
        for (Dag.Node dn : d.nodes()) {
            String name = Summary.join(prefix, dn.name());
            List<String> ins = dn.inputs().stream().map(values::get).toList();
            Map<String, String> vars = new HashMap<>();
            dn.variables().forEach((local, global) -> vars.put(local, Summary.join(prefix, global)));
            String out = switch (dn.op()) {
                case GraphOp.Unary u -> unary(u.layer(), name, ins.getFirst(), vars);
                case Binary b -> node(b.op().title(), name, ins);
                case Concat c -> finish(start("Concat", name, ins).addAttribute(intAttr("axis", c.axis())), name);
                case MatMul m -> node("MatMul", name, ins);
                case Constant c -> vars.get(Constant.VALUE); // already an initializer
                default -> throw new IllegalArgumentException("export: graph node '" + name + "' ("
                        + dn.op().describe() + ") cannot be written to ONNX");
            };
            values.put(dn.output(), out);
        }
        return values.get(d.output());
    }

    // ---------------------------------------------------------------- protobuf helpers

    private String node(String op, String name, List<String> inputs) {
        return finish(start(op, name, inputs), name);
    }

    private NodeProto.Builder start(String op, String name, List<String> inputs) {
        return NodeProto.newBuilder().setOpType(op).addAllInput(inputs);
    }

    /** Names the node and its output value (unique), adds it, returns the output value. */
    private String finish(NodeProto.Builder n, String name) {
        String base = name.isEmpty() ? n.getOpType() : name, out = base;
        for (int k = 1; !used.add(out); k++) out = base + "#" + k;
        graph.addNode(n.setName(out).addOutput(out));
        return out;
    }

    private String unique(String base) {
        String s = base;
        for (int k = 1; !used.add(s); k++) s = base + "#" + k;
        return s;
    }

    private String ints64(String name, long[] v) {
        String n = unique(name);
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        graph.addInitializer(TensorProto.newBuilder().setName(n).addDims(v.length)
                .setDataType(TensorProto.DataType.INT64_VALUE).setRawData(ByteString.copyFrom(b.array())));
        return n;
    }

    private String scalar(String name, float value) {
        String n = unique(name);
        graph.addInitializer(floats(n, Shape.of(), new float[] {value}));
        return n;
    }

    private static TensorProto floats(String name, Shape shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (int d : shape.dims()) t.addDims(d);
        return t.build();
    }

    private static ValueInfoProto valueInfo(String name, Shape s, boolean symbolicBatch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int k = 0; k < s.rank(); k++) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            shape.addDim(k == 0 && symbolicBatch ? dim.setDimParam(BATCH_DIM) : dim.setDimValue(s.dim(k)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto ints(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static long[] toLongs(int[] v) {
        long[] r = new long[v.length];
        for (int k = 0; k < v.length; k++) r[k] = v[k];
        return r;
    }
}
