package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.layers.Summary;
import dev.panamacnn.core.layers.Variables;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Constant;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.GraphOp;
import dev.panamacnn.core.layers.MatMul;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Reshape;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.reference.ReduceRef;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a layer tree plus its variables into a {@link Graph} for inference: weights are copied
 * out of the model (a plan never depends on the model's tensors afterwards), batch-norm becomes
 * a per-channel affine map from its running statistics, dropout and flatten become aliases.
 * A {@link Dag}'s nodes become graph nodes over the same values; its variables are looked up
 * through each node's bindings.
 */
final class Lowering {
    private final Graph g = new Graph();
    private final Variables params;
    private final Variables state;
    /** While lowering a {@link Dag} node: its local variable names → full names; else null. */
    private Map<String, String> binding;

    private Lowering(Variables params, Variables state) {
        this.params = params;
        this.state = state;
    }

    static Graph lower(Layer root, Shape input, Variables params, Variables state) {
        Lowering l = new Lowering(params, state);
        l.g.input = l.g.newValue(input);
        l.g.output = l.lower(root, "", l.g.input);
        return l.g;
    }

    private int lower(Layer layer, String name, int x) {
        Shape in = g.shape(x);
        Shape out = layer.outputShape(in);
        return switch (layer) {
            case Sequential s -> {
                int v = x;
                for (Layer.Child c : s.children()) v = lower(c.layer(), Summary.join(name, c.name()), v);
                yield v;
            }
            case Residual r -> {
                // The shortcut first: a fused conv+add at the end of the body then finds it ready.
                int skip = r.shortcut() == null ? x : lower(r.shortcut(), Summary.join(name, Residual.SHORTCUT), x);
                int main = lower(r.body(), name, x);
                Graph.Node add = node(Graph.Kind.ADD, name, out, main, skip);
                add.activation = r.activation();
                yield add.output;
            }
            case Dag d -> lowerDag(d, name, x);
            case Conv2d c -> {
                Graph.Node n = node(Graph.Kind.CONV, name, out, x);
                n.convSpec = c.spec();
                n.weight = param(name, "weight");
                n.bias = c.bias() ? param(name, "bias") : new float[c.outChannels()];
                yield n.output;
            }
            case Linear d -> {
                Graph.Node n = node(Graph.Kind.LINEAR, name, out, x);
                n.weight = param(name, "weight");
                n.bias = d.bias() ? param(name, "bias") : new float[d.outFeatures()];
                yield n.output;
            }
            case BatchNorm b -> {
                Graph.Node n = node(Graph.Kind.AFFINE, name, out, x);
                float[] gamma = param(name, "weight");
                float[] beta = param(name, "bias");
                float[] mean = state.get(variable(name, "running_mean")).toArray();
                float[] var = state.get(variable(name, "running_var")).toArray();
                n.scale = new float[b.channels()];
                n.shift = new float[b.channels()];
                for (int c = 0; c < b.channels(); c++) {
                    double s = gamma[c] / Math.sqrt((double) var[c] + b.eps());
                    n.scale[c] = (float) s;
                    n.shift[c] = (float) (beta[c] - mean[c] * s);
                }
                yield n.output;
            }
            case Act a -> {
                Graph.Node n = node(Graph.Kind.ACT, name, out, x);
                n.activation = a.activation();
                yield n.output;
            }
            case Pool2d p -> {
                Graph.Node n = node(Graph.Kind.POOL, name, out, x);
                n.poolSpec = p.spec();
                n.max = p.maximum();
                yield n.output;
            }
            case GlobalPool p -> {
                Graph.Node n = node(Graph.Kind.GLOBAL_POOL, name, out, x);
                n.max = p.maximum();
                yield n.output;
            }
            case Softmax s -> {
                Graph.Node n = node(Graph.Kind.SOFTMAX, name, out, x);
                n.axis = s.axis() < 0 ? in.rank() + s.axis() : s.axis();
                yield n.output;
            }
            case Flatten f -> node(Graph.Kind.ALIAS, name, out, x).output;
            case Dropout d -> node(Graph.Kind.ALIAS, name, out, x).output; // identity at inference
            case Reshape r -> node(Graph.Kind.ALIAS, name, out, x).output;
            case Transpose t -> {
                Graph.Node n = node(Graph.Kind.TRANSPOSE, name, out, x);
                n.ints = t.perm();
                yield n.output;
            }
            case Pad p -> {
                Graph.Node n = node(Graph.Kind.PAD, name, out, x);
                n.ints = p.pads();
                n.padValue = p.value();
                yield n.output;
            }
            case Slice sl -> {
                Graph.Node n = node(Graph.Kind.SLICE, name, out, x);
                n.slice = sl.spec();
                yield n.output;
            }
            case ReduceMean r -> lowerMean(r, name, x, out);
            default -> throw new IllegalArgumentException("compile: layer '" + name + "' ("
                    + layer.describe() + ", " + layer.getClass().getName() + ") is not supported;"
                    + " supported: Sequential, Residual, Dag, Conv2d, Linear, BatchNorm, Act, Pool2d,"
                    + " GlobalPool, Flatten, Dropout, Softmax, Reshape, Transpose, Pad, Slice, ReduceMean");
        };
    }

    /** A spatial mean of NCHW is a global average pool (a vectorised kernel); other axes reduce generically. */
    private int lowerMean(ReduceMean r, String name, int x, Shape out) {
        Shape in = g.shape(x);
        int[] axes = ReduceRef.axes(in, r.axes());
        if (in.rank() == 4 && Arrays.equals(axes, new int[] {2, 3})) {
            Shape pooled = Shape.of(in.dim(0), in.dim(1), 1, 1);
            Graph.Node n = node(Graph.Kind.GLOBAL_POOL, name, pooled, x);
            return r.keepDims() ? n.output : node(Graph.Kind.ALIAS, name, out, n.output).output;
        }
        Graph.Node n = node(Graph.Kind.REDUCE_MEAN, name, out, x);
        n.ints = axes;
        n.keepDims = r.keepDims();
        return n.output;
    }

    private int lowerDag(Dag d, String prefix, int x) {
        Map<String, Integer> values = new HashMap<>();
        values.put(d.input(), x);
        for (Dag.Node dn : d.nodes()) {
            String name = Summary.join(prefix, dn.name());
            int[] ins = dn.inputs().stream().mapToInt(values::get).toArray();
            Map<String, String> full = new HashMap<>();
            dn.variables().forEach((local, global) -> full.put(local, Summary.join(prefix, global)));
            List<Shape> inShapes = Arrays.stream(ins).mapToObj(g::shape).toList();
            Shape out = dn.op().outputShape(inShapes);
            int v = switch (dn.op()) {
                case GraphOp.Unary u -> {
                    binding = full;
                    try {
                        yield lower(u.layer(), name, ins[0]);
                    } finally {
                        binding = null;
                    }
                }
                case Binary b -> {
                    boolean plainAdd = b.op() == BinaryOp.ADD && inShapes.get(0).equals(inShapes.get(1));
                    Graph.Node n = node(plainAdd ? Graph.Kind.ADD : Graph.Kind.BINARY, name, out, ins);
                    n.binaryOp = b.op();
                    yield n.output;
                }
                case Concat c -> {
                    if (ins.length == 1) yield node(Graph.Kind.ALIAS, name, out, ins).output;
                    Graph.Node n = node(Graph.Kind.CONCAT, name, out, ins);
                    n.axis = c.axis() < 0 ? c.axis() + out.rank() : c.axis();
                    yield n.output;
                }
                case MatMul m -> lowerMatMul(name, ins, inShapes, out);
                case Constant c -> {
                    Graph.Node n = node(Graph.Kind.CONST, name, out);
                    n.value = params.get(full.get(Constant.VALUE)).toArray();
                    yield n.output;
                }
                default -> throw new IllegalArgumentException("compile: graph node '" + name + "' ("
                        + dn.op().describe() + ", " + dn.op().getClass().getName() + ") is not supported;"
                        + " supported: single-input layers, Binary, Concat, MatMul, Constant");
            };
            values.put(dn.output(), v);
        }
        return values.get(d.output());
    }

    /** x [N, K] times a constant [K, O] is a dense layer with weight = the constant transposed. */
    private int lowerMatMul(String name, int[] ins, List<Shape> shapes, Shape out) {
        Graph.Node b = g.producer(ins[1]);
        Shape sa = shapes.get(0), sb = shapes.get(1);
        if (b != null && b.kind == Graph.Kind.CONST && sa.rank() == 2 && sb.rank() == 2) {
            int k = sb.dim(0), o = sb.dim(1);
            Graph.Node n = node(Graph.Kind.LINEAR, name, out, ins[0]);
            n.weight = new float[k * o];
            for (int i = 0; i < k; i++) for (int j = 0; j < o; j++) n.weight[j * k + i] = b.value[i * o + j];
            n.bias = new float[o];
            return n.output;
        }
        return node(Graph.Kind.MATMUL, name, out, ins).output;
    }

    /** The values of a parameter of the layer being lowered. */
    private float[] param(String layerName, String local) {
        return params.get(variable(layerName, local)).toArray();
    }

    /** Full name of a layer's variable: its Dag binding, else the dotted path. */
    private String variable(String layerName, String local) {
        if (binding != null) {
            String bound = binding.get(local);
            if (bound == null) throw new IllegalArgumentException("graph node '" + layerName + "' binds no variable '" + local + "'");
            return bound;
        }
        return Summary.join(layerName, local);
    }

    private Graph.Node node(Graph.Kind kind, String name, Shape out, int... inputs) {
        Graph.Node n = new Graph.Node(kind, name, g.newValue(out), inputs);
        g.nodes.add(n);
        return n;
    }
}
