package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directed acyclic graph of named values: the layer's input is the value {@link #input()};
 * each {@link Node} reads some values, computes a {@link GraphOp} and defines one new value; the
 * layer's result is the value {@link #output()}. Branches, skip connections ({@link Binary}),
 * {@link Concat} and shared operands are all expressible, as in an ONNX graph.
 *
 * <p>Nodes are kept in the order given, which must be topological (every value is defined
 * before it is read). Each node binds its op's local variable names to graph-wide names
 * ({@code "weight" → "layer1.0.conv1.weight"} or an ONNX initializer name); two nodes that bind
 * the same name share the variable. Those names sit directly under the DAG's own scope.
 */
public final class Dag implements Layer {

    /** One operation: {@code output = op(inputs…)}, variables bound by name. */
    public record Node(String name, GraphOp op, List<String> inputs, String output, Map<String, String> variables) {
        public Node {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("node name must be non-empty");
            if (op == null) throw new IllegalArgumentException("node '" + name + "' has no op");
            inputs = List.copyOf(inputs);
            variables = Map.copyOf(new LinkedHashMap<>(variables));
            if (op.arity() >= 0 ? inputs.size() != op.arity() : inputs.isEmpty()) {
                throw new IllegalArgumentException("node '" + name + "' (" + op.describe() + ") takes "
                        + (op.arity() < 0 ? "at least one input" : op.arity() + " input(s)") + ", got " + inputs);
            }
            for (Variable v : op.variables()) {
                if (!variables.containsKey(v.name())) {
                    throw new IllegalArgumentException("node '" + name + "' does not bind variable '" + v.name()
                            + "' of " + op.describe() + "; bound: " + variables.keySet());
                }
            }
        }

        /** The op's variables under their graph-wide names. */
        List<Variable> boundVariables() {
            List<Variable> out = new ArrayList<>();
            for (Variable v : op.variables()) {
                out.add(new Variable(variables.get(v.name()), v.shape(), v.kind(), v.init()));
            }
            return out;
        }
    }

    private final String input;
    private final String output;
    private final List<Node> nodes;

    public Dag(String input, String output, List<Node> nodes) {
        this.input = input;
        this.output = output;
        this.nodes = List.copyOf(nodes);
        Set<String> defined = new HashSet<>(List.of(input));
        Set<String> names = new HashSet<>();
        for (Node n : this.nodes) {
            if (!names.add(n.name())) throw new IllegalArgumentException("two nodes are named '" + n.name() + "'");
            for (String in : n.inputs()) {
                if (!defined.contains(in)) {
                    throw new IllegalArgumentException("node '" + n.name() + "' reads value '" + in
                            + "' before any node defines it (nodes must be in topological order)");
                }
            }
            if (!defined.add(n.output())) {
                throw new IllegalArgumentException("value '" + n.output() + "' is defined twice (by node '" + n.name() + "')");
            }
        }
        if (!defined.contains(output)) throw new IllegalArgumentException("output value '" + output + "' is never defined");
        variables(); // checks that shared variables agree
    }

    public static Builder builder(String input) {
        return new Builder(input);
    }

    /** Adds nodes in order; names default to the output value's name. */
    public static final class Builder {
        private final String input;
        private final List<Node> nodes = new ArrayList<>();

        private Builder(String input) {
            this.input = input;
        }

        public Builder add(String name, GraphOp op, List<String> inputs, String output, Map<String, String> variables) {
            nodes.add(new Node(name, op, inputs, output, variables));
            return this;
        }

        /** A node whose variables are named {@code name.local} (PyTorch state_dict style). */
        public Builder add(String name, GraphOp op, List<String> inputs, String output) {
            Map<String, String> v = new LinkedHashMap<>();
            for (Variable var : op.variables()) v.put(var.name(), name + "." + var.name());
            return add(name, op, inputs, output, v);
        }

        /** A single-input layer whose output value is named after the node. */
        public Builder add(String name, Layer layer, String in) {
            return add(name, GraphOp.of(layer), List.of(in), name);
        }

        public Dag build(String output) {
            return new Dag(input, output, nodes);
        }
    }

    public String input() {
        return input;
    }

    public String output() {
        return output;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The shape of every value for this input shape; node errors name the node. */
    public Map<String, Shape> shapes(Shape in) {
        Map<String, Shape> shapes = new HashMap<>();
        shapes.put(input, in);
        for (Node n : nodes) {
            List<Shape> ins = n.inputs().stream().map(shapes::get).toList();
            try {
                shapes.put(n.output(), n.op().outputShape(ins));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op().describe() + ") on inputs "
                        + ins + ": " + e.getMessage(), e);
            }
        }
        return shapes;
    }

    @Override
    public Shape outputShape(Shape in) {
        return shapes(in).get(output);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Map<String, Tensor> values = new HashMap<>();
        values.put(input, x);
        for (Node n : nodes) {
            List<Tensor> ins = n.inputs().stream().map(values::get).toList();
            values.put(n.output(), n.op().apply(scope.bound(n.name(), n.variables()), ins));
        }
        return values.get(output);
    }

    /** Every node's variables under their graph-wide names, each once (shared ones must agree in shape and kind). */
    @Override
    public List<Variable> variables() {
        Map<String, Variable> all = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (Variable v : n.boundVariables()) {
                Variable old = all.putIfAbsent(v.name(), v);
                if (old != null && (!old.shape().equals(v.shape()) || old.kind() != v.kind())) {
                    throw new IllegalArgumentException("variable '" + v.name() + "' is bound by node '" + n.name()
                            + "' as " + v.kind() + " " + v.shape() + " but earlier as " + old.kind() + " " + old.shape());
                }
            }
        }
        return List.copyOf(all.values());
    }

    @Override
    public void summarize(String name, Shape in, Summary.Builder summary) {
        Map<String, Shape> shapes = shapes(in);
        for (Node n : nodes) {
            List<Shape> ins = n.inputs().stream().map(shapes::get).toList();
            long params = 0;
            for (Variable v : n.op().variables()) if (v.trainable()) params += v.shape().size();
            summary.row(Summary.join(name, n.name()), n.op().describe(), shapes.get(n.output()), params,
                    n.op().flops(ins));
        }
    }

    @Override
    public String describe() {
        return "Dag(" + nodes.size() + " nodes)";
    }
}
