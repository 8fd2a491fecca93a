package dev.panamacnn.tools.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void logModeWritesTheBarAndOneSummaryPerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
                ConsoleProgress p = new ConsoleProgress(out, false)) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                p.onEpochStart(epoch, 2, 256);
                EpochMeter m = new EpochMeter();
                m.start();
                for (int b = 0; b < 4; b++) {
                    p.onBatch(64, 0.5, 48);
                    m.add(64, 0.5, 48);
                }
                p.onEpochEnd(m.stats(epoch, 0.8125));
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("epoch 1/2 100%") && text.contains("256/256 samples"), text);
        assertTrue(text.contains("loss 0.5000  acc 75.00 %"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches(
                "epoch 2/2  loss 0\\.5000  train 75\\.00 %  held-out 81\\.25 %  [0-9,]+ samples/s  [0-9.]+ s")), text);
        assertTrue(text.chars().allMatch(c -> c < 128), "log mode is plain ASCII");
        assertTrue(text.lines().noneMatch(l -> l.contains("\r")), "log mode never redraws in place");
    }

    @Test
    void summaryLeavesOutTheHeldOutAccuracyWhenNotEvaluated() {
        String s = ConsoleProgress.summary(new EpochStats(1, 100, 2.25, 0.5, Double.NaN, 0.5, 200), 3);
        assertEquals("epoch 1/3  loss 2.2500  train 50.00 %  200 samples/s  0.5 s", s);
    }

    @Test
    void batchesNeedAnEpoch() {
        try (ConsoleProgress p = new ConsoleProgress(new PrintStream(new ByteArrayOutputStream()), false)) {
            assertThrows(IllegalStateException.class, () -> p.onBatch(1, 0, 0));
        }
    }
}
