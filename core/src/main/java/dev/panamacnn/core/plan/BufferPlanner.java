package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays out every tensor in one workspace, reusing memory between tensors whose lifetimes do not
 * overlap. Aliases (flatten, dropout) share their source's storage. The graph input is live
 * from before the first node (it is copied in) and the graph output until after the last (it is
 * copied out).
 *
 * <p>Lifetimes are node-index intervals [definition, last read], inclusive at both ends, so a
 * node's inputs (and residual) never share memory with its output. Placement is greedy
 * best-offset by decreasing size — simple and close to optimal for chain-like CNNs.
 *
 * <p>With several threads, memory is reused only between values of the same plane size, at
 * offsets a whole number of planes apart. Each thread computes a band of rows of every plane
 * (see {@code WorkerPool}), so a buffer's bytes then go to the same thread in every value that
 * reuses them. Reused across plane sizes, half of them were last written by the other core, and
 * when this host places its two vCPUs far apart, taking lines from the other core's cache is slow:
 * there MobileNetV2 at two threads took 6.6–6.9 ms with plain reuse and 5.6–5.8 ms with these
 * pools (3.9–4.3 ms when the vCPUs are close; BENCHMARKS.md). The workspace about doubles
 * (ResNet-18 4.0 → 7.7 MB, MobileNetV2 6.0 → 12.9 MB).
 */
final class BufferPlanner {
    static final long ALIGN = 64;

    /** The result: a buffer reference per value and the workspace size. */
    record Layout(BufferRef[] refs, long workspaceBytes, BufferRef input, BufferRef output) {}

    private BufferPlanner() {}

    static Layout plan(Graph g, int threads) {
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

        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < values; v++) {
            if (root[v] == v && (v == inRoot || last[v] >= 0)) order.add(v);
        }
        long[] offset = new long[values];
        long total = 0;
        if (threads > 1) {
            // A pool's values are whole planes long, so offsets in it are whole planes apart.
            Map<Long, List<Integer>> pools = new TreeMap<>();
            for (int v : order) pools.computeIfAbsent(period(g, v), k -> new ArrayList<>()).add(v);
            for (var e : pools.entrySet()) {
                long base = align(total);
                long size = place(g, e.getValue(), first, last, offset);
                for (int v : e.getValue()) offset[v] += base;
                total = base + size;
            }
        } else {
            total = place(g, order, first, last, offset);
        }

        BufferRef[] refs = new BufferRef[values];
        for (int v = 0; v < values; v++) {
            if (first[root[v]] != Integer.MAX_VALUE || root[v] == inRoot) refs[v] = new BufferRef(offset[root[v]]);
        }
        return new Layout(refs, align(total), refs[g.input], refs[g.output]);
    }

    /**
     * Greedy placement of {@code values}, largest first: the lowest offset that does not overlap
     * a placed value alive at the same time (each offset the end of another value). Returns the
     * bytes used.
     */
    private static long place(Graph g, List<Integer> values, int[] first, int[] last, long[] offset) {
        List<Integer> order = new ArrayList<>(values);
        order.sort(Comparator.comparingLong((Integer v) -> -bytes(g, v)).thenComparingInt(v -> v));
        List<Integer> placed = new ArrayList<>();
        long total = 0;
        for (int v : order) {
            long size = bytes(g, v);
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
        return total;
    }

    /**
     * The bytes of one plane of a 4-D value (one channel, or one block of channels when blocked),
     * in which each thread owns a band of rows; {@link #ALIGN} for other values.
     */
    static long period(Graph g, int v) {
        Shape s = g.storageShape(v);
        if (s.rank() != 4) return ALIGN;
        long plane = (long) s.dim(2) * s.dim(3) * Float.BYTES * (g.blocked.get(v) ? g.channelBlock : 1);
        return plane % ALIGN == 0 ? plane : ALIGN;
    }

    private static long bytes(Graph g, int v) {
        return align(g.storageShape(v).size() * Float.BYTES);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
