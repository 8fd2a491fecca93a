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

/**
 * Turns a layer tree plus its variables into a {@link Graph} for inference: weights are copied
 * out of the model (a plan never depends on the model's tensors afterwards), batch-norm becomes
 * a per-channel affine map from its running statistics, dropout and flatten become aliases.
 */
final class Lowering {
    private final Graph g = new Graph();
    private final Variables params;
    private final Variables state;

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
            case Conv2d c -> {
                Graph.Node n = node(Graph.Kind.CONV, name, out, x);
                n.convSpec = c.spec();
                n.weight = params.get(Summary.join(name, "weight")).toArray();
                n.bias = c.bias() ? params.get(Summary.join(name, "bias")).toArray() : new float[c.outChannels()];
                yield n.output;
            }
            case Linear d -> {
                Graph.Node n = node(Graph.Kind.LINEAR, name, out, x);
                n.weight = params.get(Summary.join(name, "weight")).toArray();
                n.bias = d.bias() ? params.get(Summary.join(name, "bias")).toArray() : new float[d.outFeatures()];
                yield n.output;
            }
            case BatchNorm b -> {
                Graph.Node n = node(Graph.Kind.AFFINE, name, out, x);
                float[] gamma = params.get(Summary.join(name, "weight")).toArray();
                float[] beta = params.get(Summary.join(name, "bias")).toArray();
                float[] mean = state.get(Summary.join(name, "running_mean")).toArray();
                float[] var = state.get(Summary.join(name, "running_var")).toArray();
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
            default -> throw new IllegalArgumentException("compile: layer '" + name + "' ("
                    + layer.describe() + ", " + layer.getClass().getName() + ") is not supported;"
                    + " supported: Sequential, Residual, Conv2d, Linear, BatchNorm, Act, Pool2d,"
                    + " GlobalPool, Flatten, Dropout, Softmax");
        };
    }

    private Graph.Node node(Graph.Kind kind, String name, Shape out, int... inputs) {
        Graph.Node n = new Graph.Node(kind, name, g.newValue(out), inputs);
        g.nodes.add(n);
        return n;
    }
}
