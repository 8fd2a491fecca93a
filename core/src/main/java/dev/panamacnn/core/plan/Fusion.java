package dev.panamacnn.core.plan;

import dev.panamacnn.core.ops.Activation;
import java.util.Iterator;

/**
 * Inference rewrites that remove whole passes over memory, each exact up to float rounding:
 * <ol>
 *   <li>batch-norm after a conv or dense layer folds into its weights and bias:
 *       w'[o] = w[o]·s[o], b'[o] = b[o]·s[o] + t[o] (s, t = the per-channel scale and shift);</li>
 *   <li>a residual add whose one operand is a conv's output becomes that conv's epilogue
 *       (y = act(conv(x) + skip)), when the other operand is computed before the conv;</li>
 *   <li>a clamp activation (ReLU, ReLU6, clip) after a conv, dense, affine or add joins its
 *       epilogue.</li>
 * </ol>
 * A node is only fused into its producer when the producer's output has no other reader.
 */
final class Fusion {
    private Fusion() {}

    static void run(Graph g) {
        foldBatchNorm(g);
        fuseResidualAdd(g);
        fuseActivation(g);
    }

    private static boolean hasPlainEpilogue(Graph.Node n) {
        return n.activation.kind() == Activation.Kind.IDENTITY && n.residual < 0;
    }

    static void foldBatchNorm(Graph g) {
        for (Iterator<Graph.Node> it = g.nodes.iterator(); it.hasNext(); ) {
            Graph.Node bn = it.next();
            if (bn.kind != Graph.Kind.AFFINE || bn.activation.kind() != Activation.Kind.IDENTITY) continue;
            Graph.Node p = g.producer(bn.inputs[0]);
            if (p == null || (p.kind != Graph.Kind.CONV && p.kind != Graph.Kind.LINEAR)
                    || !hasPlainEpilogue(p) || g.uses(p.output) != 1) continue;
            int outChannels = p.bias.length;
            int perChannel = p.weight.length / outChannels;
            for (int o = 0; o < outChannels; o++) {
                float s = bn.scale[o];
                for (int i = 0; i < perChannel; i++) p.weight[o * perChannel + i] *= s;
                p.bias[o] = (float) ((double) p.bias[o] * s + bn.shift[o]);
            }
            p.output = bn.output; // the conv now writes what the batch-norm wrote
            it.remove();
        }
    }

    static void fuseResidualAdd(Graph g) {
        for (Iterator<Graph.Node> it = g.nodes.iterator(); it.hasNext(); ) {
            Graph.Node add = it.next();
            if (add.kind != Graph.Kind.ADD) continue;
            Graph.Node conv = null;
            int skip = -1;
            int bestIndex = -1;
            for (int k = 0; k < 2; k++) {
                int operand = add.inputs[k], other = add.inputs[1 - k];
                Graph.Node p = g.producer(operand);
                int pi = g.indexOfProducer(operand);
                if (p == null || p.kind != Graph.Kind.CONV || !hasPlainEpilogue(p) || g.uses(operand) != 1
                        || operand == other) continue;
                if (g.indexOfProducer(other) >= pi) continue; // the skip must exist before the conv runs
                if (pi > bestIndex) {
                    conv = p;
                    skip = other;
                    bestIndex = pi;
                }
            }
            if (conv == null) continue;
            conv.residual = skip;
            conv.activation = add.activation;
            conv.output = add.output;
            it.remove();
        }
    }

    static void fuseActivation(Graph g) {
        for (Iterator<Graph.Node> it = g.nodes.iterator(); it.hasNext(); ) {
            Graph.Node act = it.next();
            if (act.kind != Graph.Kind.ACT || !act.activation.isClamp()) continue;
            Graph.Node p = g.producer(act.inputs[0]);
            if (p == null || g.uses(p.output) != 1) continue;
            boolean fusable = switch (p.kind) {
                case CONV, LINEAR, AFFINE, ADD -> p.activation.kind() == Activation.Kind.IDENTITY;
                default -> false;
            };
            if (!fusable) continue;
            p.activation = act.activation;
            p.output = act.output;
            it.remove();
        }
    }
}
