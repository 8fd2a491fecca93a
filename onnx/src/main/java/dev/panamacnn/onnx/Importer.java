package dev.panamacnn.onnx;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Constant;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.GraphOp;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.onnx.proto.OnnxProto.GraphProto;
import dev.panamacnn.onnx.proto.OnnxProto.ModelProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.panamacnn.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an ONNX graph into a {@link Dag} for one input shape: sorts the nodes, folds everything
 * computable at load time ({@link ConstFolder}), maps the rest onto layers ({@link Operators})
 * and collects the weights each node binds, under their ONNX value names.
 */
final class Importer {

    /** The imported graph: the layer, its input, and the data of every variable it declares. */
    record Result(Dag dag, Shape inputShape, String inputName, String outputName,
                  Map<String, ConstTensor> weights, int opset, String producer) {}

    final int opset;
    final Path dir;
    private final Map<String, ConstTensor> consts = new HashMap<>();
    /** ONNX value name → Dag value name (Identity and no-op reshapes alias). */
    private final Map<String, String> runtime = new HashMap<>();
    private final Map<String, Shape> shapes = new HashMap<>();
    private final List<Dag.Node> nodes = new ArrayList<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<String, ConstTensor> weights = new LinkedHashMap<>();
    private final Set<String> constNodes = new HashSet<>();

    private Importer(int opset, Path dir) {
        this.opset = opset;
        this.dir = dir;
    }

    static Result run(ModelProto model, Path dir, Shape requested, String source) {
        int opset = OnnxReader.opset(model, source);
        GraphProto g = model.getGraph();
        Importer im = new Importer(opset, dir);
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) throw new OnnxFormatException(source + ": an initializer has no name");
            im.consts.put(t.getName(), TensorDecoder.decode(t, dir));
        }
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !im.consts.containsKey(v.getName())).toList();
        if (inputs.size() != 1 || g.getOutputCount() != 1) {
            throw new OnnxFormatException(source + ": panama-cnn imports models with one input and one output; this one has "
                    + inputs.stream().map(ValueInfoProto::getName).toList() + " and "
                    + g.getOutputList().stream().map(ValueInfoProto::getName).toList());
        }
        ValueInfoProto in = inputs.getFirst();
        Shape inShape = inputShape(in, requested, source);
        im.runtime.put(in.getName(), in.getName());
        im.shapes.put(in.getName(), inShape);

        Set<String> known = new HashSet<>(im.consts.keySet());
        known.add(in.getName());
        for (NodeProto n : Toposort.sort(g.getNodeList(), known)) im.node(n);

        String out = g.getOutput(0).getName();
        if (!im.runtime.containsKey(out)) {
            throw new OnnxFormatException(source + ": the output '" + out + "' does not depend on the input"
                    + (im.consts.containsKey(out) ? " (it is a constant)" : ""));
        }
        Dag dag = new Dag(in.getName(), im.runtime.get(out), im.nodes);
        return new Result(dag, inShape, in.getName(), out, im.weights, opset, model.getProducerName()
                + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion()));
    }

    /** The input shape the file declares (a symbolic batch as 1). */
    static Shape declaredInput(ModelProto model, String source) {
        GraphProto g = model.getGraph();
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) inits.add(t.getName());
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
        if (inputs.size() != 1) throw new OnnxFormatException(source + ": expected one graph input, found " + inputs.size());
        return inputShape(inputs.getFirst(), null, source);
    }

    private static Shape inputShape(ValueInfoProto in, Shape requested, String source) {
        var type = in.getType();
        if (!type.hasTensorType() || type.getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxFormatException(source + ": input '" + in.getName() + "' must be a float32 tensor");
        }
        List<TensorShapeProto.Dimension> dims = type.getTensorType().getShape().getDimList();
        if (requested != null && requested.rank() != dims.size() && !dims.isEmpty()) {
            throw new OnnxFormatException(source + ": input '" + in.getName() + "' has rank " + dims.size()
                    + ", the requested shape " + requested + " has rank " + requested.rank());
        }
        if (dims.isEmpty() && requested == null) {
            throw new OnnxFormatException(source + ": input '" + in.getName() + "' has no shape; give one when loading");
        }
        int rank = dims.isEmpty() ? requested.rank() : dims.size();
        int[] shape = new int[rank];
        for (int k = 0; k < rank; k++) {
            TensorShapeProto.Dimension d = dims.isEmpty() ? null : dims.get(k);
            boolean fixed = d != null && d.hasDimValue() && d.getDimValue() > 0;
            if (fixed && d.getDimValue() > Integer.MAX_VALUE) {
                throw new OnnxFormatException(source + ": input dimension " + k + " is " + d.getDimValue());
            }
            if (requested != null) {
                if (fixed && d.getDimValue() != requested.dim(k)) {
                    throw new OnnxFormatException(source + ": input '" + in.getName() + "' has dimension " + k + " = "
                            + d.getDimValue() + ", the requested shape " + requested + " says " + requested.dim(k));
                }
                shape[k] = requested.dim(k);
            } else if (fixed) {
                shape[k] = (int) d.getDimValue();
            } else if (k == 0) {
                shape[k] = 1; // a symbolic batch: one image unless the caller asks for more
            } else {
                throw new OnnxFormatException(source + ": input dimension " + k + " is symbolic ('"
                        + (d == null ? "" : d.getDimParam()) + "'); give the input shape when loading");
            }
        }
        return Shape.of(shape);
    }

    private void node(NodeProto n) {
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw new OnnxFormatException(describe(n) + ": operators of domain '" + n.getDomain()
                    + "' are not supported (only the default ONNX domain)");
        }
        String op = n.getOpType();
        boolean allConst = n.getInputList().stream().allMatch(i -> i.isEmpty() || consts.containsKey(i));
        if (op.equals("Shape") && !allConst) {
            consts.put(n.getOutput(0), ConstFolder.shapeOf(shape(n, 0).dims(), new Attrs(n)));
            return;
        }
        if (ConstFolder.FOLDABLE.contains(op) && allConst) {
            List<ConstTensor> in = new ArrayList<>();
            for (String i : n.getInputList()) in.add(i.isEmpty() ? null : consts.get(i));
            List<ConstTensor> out = ConstFolder.fold(n, in, opset, dir);
            for (int k = 0; k < out.size() && k < n.getOutputCount(); k++) {
                if (!n.getOutput(k).isEmpty()) consts.put(n.getOutput(k), out.get(k));
            }
            return;
        }
        Operators.map(this, n);
    }

    // ---------------------------------------------------------------- helpers for Operators

    boolean isConst(String value) {
        return consts.containsKey(value);
    }

    /** A constant input; throws naming the node when it is computed at run time. */
    ConstTensor constant(NodeProto n, int input, String what) {
        String v = n.getInput(input);
        ConstTensor c = consts.get(v);
        if (c == null) {
            throw new OnnxFormatException(describe(n) + ": " + what + " (input " + input + ", '" + v
                    + "') must be a constant (an initializer or computable at load time)");
        }
        return c;
    }

    /** An optional constant input, or null when omitted. */
    ConstTensor optionalConstant(NodeProto n, int input, String what) {
        return n.getInputCount() > input && !n.getInput(input).isEmpty() ? constant(n, input, what) : null;
    }

    /** The Dag value of a runtime input; a constant operand becomes a {@link Constant} node. */
    String value(NodeProto n, int input) {
        String v = n.getInput(input);
        if (v.isEmpty()) throw new OnnxFormatException(describe(n) + ": input " + input + " is required");
        String r = runtime.get(v);
        if (r != null) return r;
        ConstTensor c = consts.get(v);
        if (constNodes.add(v)) {
            weights.put(v, ConstTensor.ofFloats(c.dims(), c.asFloats()));
            nodes.add(new Dag.Node(uniqueName("const " + v), new Constant(Shape.of(c.dims())), List.of(), v,
                    Map.of(Constant.VALUE, v)));
            shapes.put(v, Shape.of(c.dims()));
        }
        return v;
    }

    Shape shape(NodeProto n, int input) {
        String v = n.getInput(input);
        Shape s = shapes.get(runtime.getOrDefault(v, v));
        if (s != null) return s;
        ConstTensor c = consts.get(v);
        if (c == null) throw new OnnxFormatException(describe(n) + ": value '" + v + "' is not available");
        return Shape.of(c.dims());
    }

    /**
     * Adds a node computing {@code op} on the Dag values {@code inputs}, defining the value
     * {@code output} (an ONNX output name, or a fresh name for an intermediate of a node that
     * becomes several).
     */
    void add(NodeProto n, String suffix, GraphOp op, List<String> inputs, String output, Map<String, String> vars) {
        String name = uniqueName(nodeName(n) + suffix);
        List<Shape> ins = inputs.stream().map(shapes::get).toList();
        Shape out;
        try {
            out = op.outputShape(ins);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new OnnxFormatException(describe(n) + " on inputs " + ins + ": " + e.getMessage(), e);
        }
        nodes.add(new Dag.Node(name, op, inputs, output, vars));
        shapes.put(output, out);
        runtime.put(output, output);
    }

    void add(NodeProto n, Layer layer, String input, Map<String, String> vars) {
        add(n, "", GraphOp.of(layer), List.of(input), n.getOutput(0), vars);
    }

    /** Records a weight for binding: checks its shape against what the layer declares. */
    String weight(NodeProto n, int input, Shape expected, String what) {
        ConstTensor c = constant(n, input, what);
        if (!Arrays.equals(c.dims(), expected.dims())) {
            throw new OnnxFormatException(describe(n) + ": " + what + " '" + n.getInput(input) + "' has shape "
                    + Arrays.toString(c.dims()) + ", expected " + expected);
        }
        weights.putIfAbsent(n.getInput(input), ConstTensor.ofFloats(c.dims(), c.asFloats()));
        return n.getInput(input);
    }

    /** Makes {@code output} another name for the Dag value of {@code input} (Identity, Dropout, no-op reshape). */
    void alias(NodeProto n, String input, String output) {
        runtime.put(output, input);
    }

    private String uniqueName(String base) {
        String name = base;
        for (int k = 1; !nodeNames.add(name); k++) name = base + "#" + k;
        return name;
    }

    private static String nodeName(NodeProto n) {
        return n.getName().isEmpty() ? n.getOpType() + " " + n.getOutput(0) : n.getName();
    }

    /** "node 'name' (Op)" for messages. */
    static String describe(NodeProto n) {
        return "node '" + (n.getName().isEmpty() ? "(unnamed, output " + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") + ")"
                : n.getName()) + "' (" + n.getOpType() + ")";
    }

    // ---------------------------------------------------------------- semantics shared with ConstFolder

    /** Resolves a Reshape target: 0 copies the input's dimension (unless allowzero), -1 is inferred. */
    static int[] reshapeDims(Attrs at, int[] in, long[] target) {
        at.allow("allowzero");
        boolean allowZero = at.i("allowzero", 0) != 0;
        int[] t = new int[target.length];
        for (int k = 0; k < t.length; k++) {
            long d = target[k];
            if (d == 0 && !allowZero) {
                if (k >= in.length) throw at.error("target dimension " + k + " copies a dimension the input does not have");
                d = in[k];
            }
            t[k] = Attrs.toInt(d, "reshape dimension");
        }
        try {
            return Shape.of(in).reshape(t).dims();
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
    }

    /** The output dims of Squeeze / Unsqueeze (axes as attribute before opset 13, as input from 13). */
    static int[] squeezeDims(NodeProto n, Attrs at, int[] in, List<ConstTensor> inputs, int opset) {
        at.allow(opset < 13 ? new String[] {"axes"} : new String[0]);
        long[] axes = opset < 13 ? at.ints("axes", null)
                : inputs.size() > 1 && inputs.get(1) != null ? inputs.get(1).asLongs() : null;
        boolean squeeze = n.getOpType().equals("Squeeze");
        if (squeeze) {
            boolean[] drop = new boolean[in.length];
            if (axes == null) {
                for (int k = 0; k < in.length; k++) drop[k] = in[k] == 1;
            } else {
                for (long a : axes) {
                    int k = (int) (a < 0 ? a + in.length : a);
                    if (k < 0 || k >= in.length || in[k] != 1) throw at.error("cannot squeeze axis " + a + " of " + Arrays.toString(in));
                    drop[k] = true;
                }
            }
            return java.util.stream.IntStream.range(0, in.length).filter(k -> !drop[k]).map(k -> in[k]).toArray();
        }
        if (axes == null) throw at.error("needs axes");
        int rank = in.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int k = (int) (a < 0 ? a + rank : a);
            if (k < 0 || k >= rank || added[k]) throw at.error("axis " + a + " is out of range or repeated");
            added[k] = true;
        }
        int[] out = new int[rank];
        for (int k = 0, j = 0; k < rank; k++) out[k] = added[k] ? 1 : in[j++];
        return out;
    }

    /** Slice's starts, ends, axes, steps inputs as a spec (axes default 0..n-1, steps 1). */
    static SliceSpec sliceSpec(List<ConstTensor> in, int rank, Attrs at) {
        if (in.size() < 3 || in.get(1) == null || in.get(2) == null) throw at.error("needs starts and ends inputs");
        long[] starts = in.get(1).asLongs(), ends = in.get(2).asLongs();
        long[] axes = in.size() > 3 && in.get(3) != null ? in.get(3).asLongs() : null;
        long[] steps = in.size() > 4 && in.get(4) != null ? in.get(4).asLongs() : null;
        int[] ax = new int[starts.length];
        for (int k = 0; k < ax.length; k++) ax[k] = axes == null ? k : Attrs.toInt(axes[k], "slice axis");
        if (steps == null) {
            steps = new long[starts.length];
            Arrays.fill(steps, 1);
        }
        try {
            return new SliceSpec(ax, starts, ends, steps);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
    }

    /** Transpose's perm, reversed axes by default. */
    static int[] perm(Attrs at, int rank) {
        long[] p = at.ints("perm", null);
        if (p == null) {
            int[] r = new int[rank];
            for (int k = 0; k < rank; k++) r[k] = rank - 1 - k;
            return r;
        }
        return Attrs.toInts(p, "perm entry");
    }
}
