package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-layer table of a model for one input shape: output shape, trainable parameter count and
 * FLOPs (a multiply-add counts 2), with totals.
 */
public final class Summary {

    /** One layer's line. */
    public record Row(String name, String layer, Shape output, long parameters, long flops) {}

    private final Shape input;
    private final List<Row> rows;

    private Summary(Shape input, List<Row> rows) {
        this.input = input;
        this.rows = List.copyOf(rows);
    }

    /** The summary of {@code layer} applied to {@code input}. */
    public static Summary of(Layer layer, Shape input) {
        Builder b = new Builder();
        layer.summarize("", input, b);
        return new Summary(input, b.rows);
    }

    /** Collects rows; composites call {@link #row} for their own work after their children. */
    public static final class Builder {
        private final List<Row> rows = new ArrayList<>();

        private Builder() {}

        public void row(String name, Layer layer, Shape input, Shape output) {
            long params = 0;
            for (Variable v : layer.variables()) {
                if (v.trainable()) params += v.shape().size();
            }
            row(name, layer.describe(), output, params, layer.flops(input));
        }

        /** A row with its figures given directly (a graph node). */
        public void row(String name, String description, Shape output, long parameters, long flops) {
            rows.add(new Row(name.isEmpty() ? "(model)" : name, description, output, parameters, flops));
        }
    }

    /** Dotted name join that skips empty parts. */
    public static String join(String prefix, String name) {
        if (prefix.isEmpty()) return name;
        if (name.isEmpty()) return prefix;
        return prefix + "." + name;
    }

    public List<Row> rows() {
        return rows;
    }

    public Shape input() {
        return input;
    }

    public long totalParameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    public long totalFlops() {
        return rows.stream().mapToLong(Row::flops).sum();
    }

    public Shape output() {
        return rows.isEmpty() ? input : rows.getLast().output();
    }

    /** A fixed-width table, one row per layer, then the totals. */
    @Override
    public String toString() {
        int nameW = Math.max(5, rows.stream().mapToInt(r -> r.name().length()).max().orElse(5));
        int layerW = Math.max(5, rows.stream().mapToInt(r -> r.layer().length()).max().orElse(5));
        int shapeW = Math.max(12, rows.stream().mapToInt(r -> r.output().toString().length()).max().orElse(12));
        String fmt = "%-" + nameW + "s  %-" + layerW + "s  %-" + shapeW + "s  %,12d  %,16d%n";
        String head = "%-" + nameW + "s  %-" + layerW + "s  %-" + shapeW + "s  %12s  %16s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, head, "name", "layer", "output shape", "parameters", "FLOPs"));
        sb.append("-".repeat(nameW + layerW + shapeW + 12 + 16 + 8)).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.name(), r.layer(), r.output(), r.parameters(), r.flops()));
        }
        sb.append("-".repeat(nameW + layerW + shapeW + 12 + 16 + 8)).append('\n');
        long flops = totalFlops();
        String scaled = flops >= 1e9 ? String.format(Locale.ROOT, "%.2f GFLOPs", flops / 1e9)
                : String.format(Locale.ROOT, "%.2f MFLOPs", flops / 1e6);
        sb.append(String.format(Locale.ROOT, "input %s, output %s: %,d trainable parameters, %,d FLOPs (%s)%n",
                input, output(), totalParameters(), flops, scaled));
        return sb.toString();
    }
}
