package dev.panamacnn.tools;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads back the one flat JSON object a {@code --json} command prints (values as their JSON text, strings unquoted). */
final class FlatJson {
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\": (\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]+)");

    private FlatJson() {}

    static Map<String, String> parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{") || !t.endsWith("}") || t.contains("\n")) {
            throw new AssertionError("not one JSON object on one line: " + line);
        }
        Map<String, String> m = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(t);
        while (e.find()) m.put(e.group(1), e.group(3) != null ? e.group(3) : e.group(2).strip());
        return m;
    }

    /** The last line of {@code out} that is a JSON object. */
    static Map<String, String> lastObject(String out) {
        return parse(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON object in:\n" + out)));
    }
}
