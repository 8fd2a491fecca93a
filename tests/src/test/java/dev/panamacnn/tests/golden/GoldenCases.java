package dev.panamacnn.tests.golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the golden fixture directories on the test class path ({@code /golden/<case>/}). */
final class GoldenCases {
    private GoldenCases() {}

    static Path root() {
        URL url = GoldenCases.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("no /golden directory on the test class path;"
                    + " fixtures live in tests/src/test/resources/golden");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot resolve " + url, e);
        }
    }

    /** Every case directory (one holding a case.properties), sorted by name. */
    static List<GoldenCase> all() {
        try (Stream<Path> dirs = Files.list(root())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("case.properties")))
                    .sorted()
                    .map(GoldenCases::load)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GoldenCase load(Path dir) {
        try {
            return GoldenCase.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
