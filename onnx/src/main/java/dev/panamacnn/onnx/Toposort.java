package dev.panamacnn.onnx;

import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders a graph's nodes so that every value is produced before it is read (Kahn's algorithm,
 * linear in the graph's size). A value that nothing produces and a cycle are reported by name.
 */
final class Toposort {
    private Toposort() {}

    /** {@code known}: the graph inputs and initializers. */
    static List<NodeProto> sort(List<NodeProto> nodes, Set<String> known) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).getOutputList()) {
                if (out.isEmpty()) continue;
                if (known.contains(out) || producer.putIfAbsent(out, i) != null) {
                    throw new OnnxFormatException("value '" + out + "' is defined more than once (again by "
                            + Importer.describe(nodes.get(i)) + ")");
                }
            }
        }
        int[] waiting = new int[nodes.size()];
        List<List<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) readers.add(new ArrayList<>());
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).getInputList()) {
                if (in.isEmpty() || known.contains(in)) continue; // "" is an omitted optional input
                Integer p = producer.get(in);
                if (p == null) {
                    throw new OnnxFormatException(Importer.describe(nodes.get(i)) + " reads value '" + in
                            + "', which no node, graph input or initializer defines");
                }
                waiting[i]++;
                readers.get(p).add(i);
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) if (waiting[i] == 0) ready.add(i);
        List<NodeProto> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(nodes.get(i));
            for (int r : readers.get(i)) if (--waiting[r] == 0) ready.add(r);
        }
        if (order.size() < nodes.size()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (waiting[i] > 0) {
                    throw new OnnxFormatException("the graph has a cycle through " + Importer.describe(nodes.get(i))
                            + " (" + (nodes.size() - order.size()) + " nodes can never run)");
                }
            }
        }
        return order;
    }
}
