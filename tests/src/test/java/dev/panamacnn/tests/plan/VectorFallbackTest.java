package dev.panamacnn.tests.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without the Vector API on the module graph the library still works, on the reference kernels,
 * and says so once. Runs a child JVM started without {@code --add-modules jdk.incubator.vector}.
 */
class VectorFallbackTest {

    @Test
    void fallsBackToReferenceKernelsAndSaysSoOnce() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FallbackProbe.class.getName()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals(List.of("backend=reference", "backend-again=reference"), out.lines().toList(), err);
        long warnings = err.lines().filter(l -> l.contains("jdk.incubator.vector is not in the module graph")).count();
        assertEquals(1, warnings, "exactly one clear line about the fallback:\n" + err);
        assertTrue(err.contains("--add-modules jdk.incubator.vector"), "says how to fix it:\n" + err);
    }
}
