package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.io.Npy;
import java.io.IOException;
import java.io.Reader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One golden fixture directory written by {@code tools/golden/make_golden.py}: its
 * {@code case.properties} (op and parameters) and its {@code <name>.npy} arrays.
 */
record GoldenCase(String name, Path dir, Properties props) {

    static GoldenCase load(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("case.properties"), StandardCharsets.US_ASCII)) {
            p.load(r);
        }
        return new GoldenCase(dir.getFileName().toString(), dir, p);
    }

    String op() {
        return string("op");
    }

    String string(String key) {
        String v = props.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(name + ": case.properties has no '" + key + "'");
        }
        return v.strip();
    }

    int integer(String key) {
        return Integer.parseInt(string(key));
    }

    float real(String key) {
        return Float.parseFloat(string(key));
    }

    /** {@code true}/{@code yes} or {@code false}/{@code no}. */
    boolean flag(String key) {
        return switch (string(key)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalStateException(name + ": '" + key + "' is not a boolean: "
                    + string(key));
        };
    }

    boolean hasArray(String array) {
        return Files.isRegularFile(dir.resolve(array + ".npy"));
    }

    Tensor array(String array, Arena arena) throws IOException {
        return Npy.read(dir.resolve(array + ".npy"), arena);
    }

    /** The array, or null when the case has none (e.g. a conv without bias). */
    Tensor optionalArray(String array, Arena arena) throws IOException {
        return hasArray(array) ? array(array, arena) : null;
    }

    @Override
    public String toString() {
        return name;
    }
}
