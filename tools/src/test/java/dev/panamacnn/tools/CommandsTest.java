package dev.panamacnn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quick commands, in-process. */
class CommandsTest {
    @Test
    void summaryOfTheExampleLeNet() {
        String out = Cli.ok("summary", "--example", "lenet").out();
        assertTrue(out.contains("61,706") || out.contains("61706"), out);
        assertTrue(out.contains("conv1") && out.contains("fc3"), out);
    }

    @Test
    void benchJsonHasItsKeys() {
        Map<String, String> json = FlatJson.lastObject(Cli.ok("bench", "--example", "lenet", "--warmup", "1",
                "--iterations", "3", "--json").out());
        assertEquals(List.of("model", "backend", "threads", "batch", "iterations", "median_ms", "p90_ms", "p99_ms", "min_ms",
                "throughput_per_s"), List.copyOf(json.keySet()));
        assertEquals("lenet", json.get("model"));
        assertEquals("3", json.get("iterations"));
        assertTrue(Double.parseDouble(json.get("throughput_per_s")) > 0);
    }

    @Test
    void trainMnistIsListedInTheHelp() {
        String out = Cli.ok("--help").out();
        assertTrue(out.contains("train-mnist"), out);
        String help = Cli.ok("help", "train-mnist").out();
        assertTrue(help.contains("--model=<model>") && help.contains("lenet, cnn-bn") && help.contains("./mnist-run"), help);
        assertTrue(!help.contains("--limit"), "--limit is for tests and the demo");
    }
}
