package dev.panamacnn.tools;

import java.util.Locale;

/**
 * One flat JSON object for {@code --json} output, keys in the order they are put:
 * {@code new JsonLine().put("epochs", 5).put("test_accuracy", 0.9815)} gives
 * {@code {"epochs": 5, "test_accuracy": 0.9815}}. Non-finite numbers become {@code null}
 * (JSON has no NaN).
 */
public final class JsonLine {
    private final StringBuilder b = new StringBuilder("{");

    public JsonLine put(String key, String value) {
        key(key).append(value == null ? "null" : quote(value));
        return this;
    }

    public JsonLine put(String key, long value) {
        key(key).append(value);
        return this;
    }

    public JsonLine put(String key, boolean value) {
        key(key).append(value);
        return this;
    }

    /** A number, rounded to {@code decimals} places (trailing zeros kept, as printf does). */
    public JsonLine put(String key, double value, int decimals) {
        StringBuilder s = key(key);
        if (Double.isFinite(value)) {
            s.append(String.format(Locale.ROOT, "%." + decimals + "f", value));
        } else {
            s.append("null");
        }
        return this;
    }

    /** A number with all its digits (shortest form that reads back exactly). */
    public JsonLine put(String key, double value) {
        StringBuilder s = key(key);
        s.append(Double.isFinite(value) ? Double.toString(value) : "null");
        return this;
    }

    @Override
    public String toString() {
        return b + "}";
    }

    private StringBuilder key(String key) {
        if (b.length() > 1) b.append(", ");
        return b.append(quote(key)).append(": ");
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else q.append(c);
                }
            }
        }
        return q.append('"').toString();
    }
}
