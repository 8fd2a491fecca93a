package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.ops.SliceSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiler's intermediate form: values (tensors, by id, with shapes) and nodes in execution
 * order. Passes rewrite nodes in place; the planner then lays values out in memory.
 */
final class Graph {
    enum Kind { CONV, LINEAR, AFFINE, POOL, GLOBAL_POOL, ACT, ADD, SOFTMAX, ALIAS, COPY,
        BINARY, CONCAT, TRANSPOSE, PAD, SLICE, REDUCE_MEAN, MATMUL, CONST, REORDER }

    /** One operation. Mutable so that fusion passes can fold neighbours into it. */
    static final class Node {
        final Kind kind;
        final String name;
        int[] inputs;
        int output;
        Activation activation = Activation.IDENTITY;
        int residual = -1;
        Conv2dSpec convSpec;
        Pool2dSpec poolSpec;
        boolean max;
        int axis;
        float[] weight;
        float[] bias;
        float[] scale;
        float[] shift;
        BinaryOp binaryOp;
        int[] ints; // transpose perm, pads or reduce axes
        float padValue;
        boolean keepDims;
        SliceSpec slice;
        float[] value; // a constant's data

        Node(Kind kind, String name, int output, int... inputs) {
            this.kind = kind;
            this.name = name;
            this.output = output;
            this.inputs = inputs;
        }

        @Override
        public String toString() {
            return kind + (name.isEmpty() ? "" : " " + name) + " " + java.util.Arrays.toString(inputs)
                    + (residual >= 0 ? " +" + residual : "") + " -> " + output
                    + (activation.kind() == Activation.Kind.IDENTITY ? "" : " " + activation);
        }
    }

    final List<Shape> shapes = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    int input = -1;
    int output = -1;
    /** Values stored in the blocked layout ({@link ChannelBlocking}), with this many channels per block. */
    final java.util.BitSet blocked = new java.util.BitSet();
    int channelBlock;
    /** Blocked values stored inside a zero border this many pixels wide ({@link Halos}); absent: none. */
    final java.util.Map<Integer, Integer> halos = new java.util.HashMap<>();

    ChannelLayout layout(int value) {
        return blocked.get(value) ? ChannelLayout.BLOCKED : ChannelLayout.NCHW;
    }

    int halo(int value) {
        return halos.getOrDefault(value, 0);
    }

    /**
     * The shape of a value's storage: its shape, with channels padded to whole blocks when
     * blocked, and height and width grown by its halo on both sides.
     */
    Shape storageShape(int value) {
        Shape s = layout(value).storage(shape(value), channelBlock);
        int p = halo(value);
        if (p == 0) return s;
        int[] d = s.dims();
        d[2] += 2 * p;
        d[3] += 2 * p;
        return Shape.of(d);
    }

    int newValue(Shape shape) {
        shapes.add(shape);
        return shapes.size() - 1;
    }

    Shape shape(int value) {
        return shapes.get(value);
    }

    Node producer(int value) {
        for (Node n : nodes) if (n.output == value) return n;
        return null;
    }

    int indexOfProducer(int value) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).output == value) return i;
        return -1; // the graph input
    }

    /** How many times {@code value} is read (inputs, residuals, and the graph output). */
    int uses(int value) {
        int n = value == output ? 1 : 0;
        for (Node node : nodes) {
            for (int in : node.inputs) if (in == value) n++;
            if (node.residual == value) n++;
        }
        return n;
    }

    /** Removes nodes whose result nobody reads (e.g. a constant folded into a dense layer). */
    void removeDeadNodes() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = nodes.size() - 1; i >= 0; i--) {
                if (uses(nodes.get(i).output) == 0) {
                    nodes.remove(i);
                    changed = true;
                }
            }
        }
    }

    /** Replaces every read of {@code from} by {@code to}. */
    void rename(int from, int to) {
        for (Node node : nodes) {
            for (int i = 0; i < node.inputs.length; i++) if (node.inputs[i] == from) node.inputs[i] = to;
            if (node.residual == from) node.residual = to;
        }
        if (output == from) output = to;
    }
}
