package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Chooses which values a backend with a blocked layout ({@link Backend#channelBlock()} > 0)
 * keeps blocked, and inserts {@link Graph.Kind#REORDER} nodes where a value's layout differs from
 * what its reader takes. Convolutions run blocked when the backend asks for it; additions and
 * activations follow their inputs (blocked when all are); global pooling reads either layout
 * and writes NCHW. Everything else — and the model's input and output — is NCHW, so a chain
 * like MobileNetV2's or ResNet's runs from its first convolution to its global pooling without
 * a single reorder.
 */
final class ChannelBlocking {
    private ChannelBlocking() {}

    static void run(Graph g, Backend backend) {
        int block = backend.channelBlock();
        if (block <= 0) return;
        g.channelBlock = block;
        Map<Graph.Node, Set<ChannelLayout>> convInputs = new IdentityHashMap<>();
        for (Graph.Node n : g.nodes) {
            boolean rank4 = g.shape(n.output).rank() == 4;
            boolean blocked = switch (n.kind) {
                case CONV -> {
                    Set<ChannelLayout> ins = rank4 ? backend.blockedConvInputs(probe(g, n)) : Set.of();
                    if (!ins.isEmpty()) convInputs.put(n, ins);
                    yield !ins.isEmpty();
                }
                case ADD, ACT, POOL -> rank4 && allBlocked(g, n.inputs);
                default -> false;
            };
            if (blocked) g.blocked.set(n.output);
        }

        Map<Long, Integer> reordered = new HashMap<>(); // (value, target layout) -> reordered value
        for (int i = 0; i < g.nodes.size(); i++) {
            Graph.Node n = g.nodes.get(i);
            Set<ChannelLayout> inputTakes = takes(g, n, convInputs.get(n));
            for (int k = 0; k < n.inputs.length; k++) {
                int v = n.inputs[k];
                if (inputTakes.contains(g.layout(v))) continue;
                ChannelLayout to = inputTakes.contains(ChannelLayout.BLOCKED) ? ChannelLayout.BLOCKED : ChannelLayout.NCHW;
                int before = g.nodes.size();
                n.inputs[k] = reorder(g, v, to, i, reordered);
                i += g.nodes.size() - before;
            }
            if (n.residual >= 0 && g.layout(n.residual) != g.layout(n.output)) {
                int before = g.nodes.size();
                n.residual = reorder(g, n.residual, g.layout(n.output), i, reordered);
                i += g.nodes.size() - before;
            }
        }
        if (g.blocked.get(g.output)) {
            int v = g.newValue(g.shape(g.output));
            g.nodes.add(new Graph.Node(Graph.Kind.REORDER, "reorder", v, g.output));
            g.output = v;
        }
    }

    /** The input layouts node {@code n} reads. */
    private static Set<ChannelLayout> takes(Graph g, Graph.Node n, Set<ChannelLayout> convInputs) {
        return switch (n.kind) {
            case CONV -> convInputs != null ? convInputs : EnumSet.of(ChannelLayout.NCHW);
            case ADD, ACT, POOL -> EnumSet.of(g.layout(n.output));
            case GLOBAL_POOL -> EnumSet.allOf(ChannelLayout.class);
            default -> EnumSet.of(ChannelLayout.NCHW);
        };
    }

    /** A value holding {@code v} in layout {@code to}, made by a reorder placed before node {@code at}. */
    private static int reorder(Graph g, int v, ChannelLayout to, int at, Map<Long, Integer> reordered) {
        return reordered.computeIfAbsent(((long) v << 1) | to.ordinal(), key -> {
            int out = g.newValue(g.shape(v));
            if (to == ChannelLayout.BLOCKED) g.blocked.set(out);
            g.nodes.add(at, new Graph.Node(Graph.Kind.REORDER, "reorder", out, v));
            return out;
        });
    }

    private static boolean allBlocked(Graph g, int[] values) {
        for (int v : values) if (!g.blocked.get(v)) return false;
        return values.length > 0;
    }

    static Ops.Conv probe(Graph g, Graph.Node n) {
        Shape in = g.shape(n.inputs[0]), out = g.shape(n.output);
        BufferRef unplanned = new BufferRef(0);
        return new Ops.Conv(in, out, n.convSpec, n.weight, n.bias, n.activation, unplanned, unplanned,
                n.residual >= 0 ? unplanned : null, ChannelLayout.NCHW, ChannelLayout.NCHW);
    }
}
