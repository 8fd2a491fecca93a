package dev.panamacnn.core.plan;

import dev.panamacnn.core.ops.Conv2dSpec;

/**
 * Gives a blocked value a zero border (a halo, see {@link Ops.Conv}) when a convolution
 * produces it and a padded convolution is its only reader, and the backend runs both that way
 * ({@link Backend#convHalo}). The reader then reads it in place; without the halo it first
 * copies its whole input into zero-padded planes. In ResNet-18 the conv1 → conv2 pairs inside
 * each basic block qualify; the block outputs, which a residual or a pooling reads too, do not
 * (yet). Runs after {@link ChannelBlocking}, before buffers are planned.
 */
final class Halos {
    private Halos() {}

    static void run(Graph g, Backend backend) {
        for (Graph.Node consumer : g.nodes) {
            if (consumer.kind != Graph.Kind.CONV) continue;
            int v = consumer.inputs[0];
            int pad = uniformPadding(consumer.convSpec);
            if (pad <= 0 || !g.blocked.get(v) || v == g.output || g.uses(v) != 1) continue;
            Graph.Node producer = g.producer(v);
            if (producer == null || producer.kind != Graph.Kind.CONV || producer.residual >= 0) continue;
            if (backend.convHalo(ChannelBlocking.probe(g, producer), ChannelBlocking.probe(g, consumer))) {
                g.halos.put(v, pad);
            }
        }
    }

    /** The padding when it is the same on all four sides, else -1. */
    private static int uniformPadding(Conv2dSpec s) {
        int p = s.padTop();
        return s.padBottom() == p && s.padLeft() == p && s.padRight() == p ? p : -1;
    }
}
