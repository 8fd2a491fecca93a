package dev.panamacnn.core.plan;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.util.Arrays;

/**
 * Gives blocked values a zero border (a halo, see {@link Ops.Conv}) so that the padded
 * convolutions reading them read in place instead of first copying their whole input into
 * zero-padded planes. A value gets the widest padding of the convolutions that read it, when:
 * <ul>
 *   <li>only convolutions (as input, with the same padding on all four sides, or as residual)
 *       and global poolings read it, and the backend runs each reader on it ({@link
 *       Backend#readsHalo});</li>
 *   <li>a convolution or a pooling produces it with that halo ({@link Backend#writesHalo});</li>
 *   <li>every value linked to it by residuals (a convolution's output and its residual, which
 *       the kernel addresses alike) qualifies too: they all get the group's widest halo.</li>
 * </ul>
 * In ResNet-18 every value from the max pool to the global pooling qualifies. Runs after {@link
 * ChannelBlocking}, before buffers are planned.
 */
final class Halos {
    private Halos() {}

    static void run(Graph g, Backend backend) {
        if (g.channelBlock <= 0) return;
        int values = g.shapes.size();
        int[] wanted = new int[values];
        boolean[] unfit = new boolean[values];
        if (g.output >= 0) unfit[g.output] = true;
        for (Graph.Node n : g.nodes) {
            for (int k = 0; k < n.inputs.length; k++) {
                int v = n.inputs[k];
                int pad = n.kind == Graph.Kind.CONV && k == 0 ? uniformPadding(n.convSpec)
                        : n.kind == Graph.Kind.GLOBAL_POOL ? 0 : -1;
                if (pad < 0) unfit[v] = true;
                else wanted[v] = Math.max(wanted[v], pad);
            }
        }
        int[] group = new int[values];
        Arrays.setAll(group, v -> v);
        for (Graph.Node n : g.nodes) {
            if (n.kind == Graph.Kind.CONV && n.residual >= 0) group[find(group, n.residual)] = find(group, n.output);
        }
        int[] halo = new int[values];
        for (int v = 0; v < values; v++) halo[find(group, v)] = Math.max(halo[find(group, v)], wanted[v]);
        boolean[] dropped = new boolean[values]; // per group root
        for (int v = 0; v < values; v++) {
            int root = find(group, v);
            if (halo[root] > 0 && (unfit[v] || !g.blocked.get(v))) dropped[root] = true;
        }
        for (Graph.Node n : g.nodes) {
            int out = find(group, n.output), h = halo[out];
            if (h > 0 && !writes(g, n, h, backend)) dropped[out] = true;
            int in = n.inputs.length > 0 ? find(group, n.inputs[0]) : -1;
            if (in >= 0 && halo[in] > 0) {
                boolean reads = switch (n.kind) {
                    case CONV -> backend.readsHalo(ChannelBlocking.probe(g, n), halo[in]);
                    case GLOBAL_POOL -> backend.readsHalo(new Ops.GlobalPool(g.shape(n.inputs[0]), n.max, new BufferRef(0),
                            new BufferRef(0), ChannelLayout.BLOCKED), halo[in]);
                    default -> true; // any other reader made the value unfit above
                };
                if (!reads) dropped[in] = true;
            }
        }
        for (int v = 0; v < values; v++) {
            int root = find(group, v);
            if (halo[root] > 0 && !dropped[root]) g.halos.put(v, halo[root]);
        }
    }

    /** Whether the backend runs node {@code n} writing its output with a halo {@code h} wide. */
    private static boolean writes(Graph g, Graph.Node n, int h, Backend backend) {
        return switch (n.kind) {
            case CONV -> backend.writesHalo(ChannelBlocking.probe(g, n), h);
            case POOL -> {
                BufferRef unplanned = new BufferRef(0); // only blocked values get this far
                yield backend.writesHalo(new Ops.Pool(g.shape(n.inputs[0]), g.shape(n.output), n.poolSpec, n.max,
                        unplanned, unplanned, ChannelLayout.BLOCKED), h);
            }
            default -> false;
        };
    }

    private static int find(int[] group, int v) {
        while (group[v] != v) v = group[v] = group[group[v]];
        return v;
    }

    /** The padding when it is the same on all four sides, else -1. */
    private static int uniformPadding(Conv2dSpec s) {
        int p = s.padTop();
        return s.padBottom() == p && s.padLeft() == p && s.padRight() == p ? p : -1;
    }
}
