package dev.panamacnn.onnx;

import dev.panamacnn.onnx.proto.OnnxProto.AttributeProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node's attributes, read by name with defaults. {@link #allow} rejects any attribute the
 * importer does not implement, so an unsupported option fails at load time with its name.
 */
final class Attrs {
    private final NodeProto node;
    private final Map<String, AttributeProto> byName = new HashMap<>();

    Attrs(NodeProto node) {
        this.node = node;
        for (AttributeProto a : node.getAttributeList()) {
            if (!a.getRefAttrName().isEmpty()) throw error("attribute '" + a.getName() + "' refers to a function attribute");
            byName.put(a.getName(), a);
        }
    }

    /** Throws naming the first attribute outside {@code supported}. */
    Attrs allow(String... supported) {
        Set<String> ok = Set.of(supported);
        for (String name : byName.keySet()) {
            if (!ok.contains(name)) {
                throw error("attribute '" + name + "' is not supported (supported for " + node.getOpType() + ": "
                        + (supported.length == 0 ? "none" : new TreeSet<>(ok)) + ")");
            }
        }
        return this;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long i(String name, long dflt) {
        AttributeProto a = byName.get(name);
        return a == null ? dflt : a.getI();
    }

    float f(String name, float dflt) {
        AttributeProto a = byName.get(name);
        return a == null ? dflt : a.getF();
    }

    String s(String name, String dflt) {
        AttributeProto a = byName.get(name);
        return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
    }

    long[] ints(String name, long[] dflt) {
        AttributeProto a = byName.get(name);
        if (a == null) return dflt;
        List<Long> v = a.getIntsList();
        long[] out = new long[v.size()];
        for (int k = 0; k < out.length; k++) out[k] = v.get(k);
        return out;
    }

    float[] floats(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) return null;
        float[] out = new float[a.getFloatsCount()];
        for (int k = 0; k < out.length; k++) out[k] = a.getFloats(k);
        return out;
    }

    AttributeProto get(String name) {
        return byName.get(name);
    }

    /** An error that names the node and its op. */
    OnnxFormatException error(String what) {
        return new OnnxFormatException(Importer.describe(node) + ": " + what);
    }

    static int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new OnnxFormatException(what + " " + v + " is out of range");
        return (int) v;
    }

    static int[] toInts(long[] v, String what) {
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) out[k] = toInt(v[k], what);
        return out;
    }
}
