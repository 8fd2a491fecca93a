package dev.panamacnn.core.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Lays out every tensor in one workspace, reusing memory between tensors whose lifetimes do not
 * overlap. Aliases (flatten, dropout) share their source's storage. The graph input is live
 * from before the first node (it is copied in) and the graph output until after the last (it is
 * copied out).
 *
 * <p>Lifetimes are node-index intervals [definition, last read], inclusive at both ends, so a
 * node's inputs (and residual) never share memory with its output. Placement is greedy
 * best-offset by decreasing size — simple and close to optimal for chain-like CNNs.
 */
final class BufferPlanner {
    static final long ALIGN = 64;

    /** The result: a buffer reference per value and the workspace size. */
    record Layout(BufferRef[] refs, long workspaceBytes, BufferRef input, BufferRef output) {}

    private BufferPlanner() {}

    static Layout plan(Graph g) {
        int values = g.shapes.size();
        int[] root = new int[values];
        for (int v = 0; v < values; v++) root[v] = v;
        for (Graph.Node n : g.nodes) {
            if (n.kind == Graph.Kind.ALIAS) root[n.output] = root[n.inputs[0]];
        }
        int[] first = new int[values], last = new int[values];
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, -1);
        for (int i = 0; i < g.nodes.size(); i++) {
            Graph.Node n = g.nodes.get(i);
            if (n.kind == Graph.Kind.ALIAS) continue;
            int r = root[n.output];
            first[r] = Math.min(first[r], i);
            last[r] = Math.max(last[r], i);
            for (int in : n.inputs) last[root[in]] = Math.max(last[root[in]], i);
            if (n.residual >= 0) last[root[n.residual]] = Math.max(last[root[n.residual]], i);
        }
        int inRoot = root[g.input], outRoot = root[g.output];
        first[inRoot] = -1;
        last[inRoot] = Math.max(last[inRoot], -1);
        last[outRoot] = g.nodes.size();

        List<Integer> placed = new ArrayList<>();
        long[] offset = new long[values];
        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < values; v++) {
            if (root[v] == v && (v == inRoot || last[v] >= 0)) order.add(v);
        }
        order.sort(Comparator.comparingLong((Integer v) -> -bytes(g, v)).thenComparingInt(v -> v));
        long total = 0;
        for (int v : order) {
            long size = bytes(g, v);
            // Lowest offset that does not overlap any placed tensor alive at the same time.
            List<long[]> busy = new ArrayList<>();
            for (int p : placed) {
                if (first[p] <= last[v] && first[v] <= last[p]) busy.add(new long[] {offset[p], offset[p] + bytes(g, p)});
            }
            busy.sort(Comparator.comparingLong(b -> b[0]));
            long at = 0;
            for (long[] b : busy) {
                if (at + size <= b[0]) break;
                at = Math.max(at, align(b[1]));
            }
            offset[v] = at;
            placed.add(v);
            total = Math.max(total, at + size);
        }

        BufferRef[] refs = new BufferRef[values];
        for (int v = 0; v < values; v++) {
            if (first[root[v]] != Integer.MAX_VALUE || root[v] == inRoot) refs[v] = new BufferRef(offset[root[v]]);
        }
        return new Layout(refs, align(total), refs[g.input], refs[g.output]);
    }

    private static long bytes(Graph g, int v) {
        return align(g.storageShape(v).size() * Float.BYTES);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
