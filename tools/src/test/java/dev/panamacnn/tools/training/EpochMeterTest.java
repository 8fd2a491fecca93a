package dev.panamacnn.tools.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EpochMeterTest {
    @Test
    void weighsLossBySamplesAndCountsAccuracy() throws InterruptedException {
        EpochMeter m = new EpochMeter();
        m.start();
        assertTrue(Double.isNaN(m.meanLoss()));
        m.add(64, 1.0, 32);
        Thread.sleep(5);
        m.add(16, 2.0, 16);
        EpochStats s = m.stats(3, 0.9);
        assertEquals(3, s.epoch());
        assertEquals(80, s.samples());
        assertEquals((64 * 1.0 + 16 * 2.0) / 80, s.trainLoss(), 1e-12);
        assertEquals(48 / 80.0, s.trainAccuracy(), 1e-12);
        assertEquals(0.9, s.testAccuracy());
        assertTrue(s.seconds() >= 0.004, "clock ran to the last batch: " + s.seconds());
        assertEquals(80 / s.seconds(), s.samplesPerSecond(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> m.add(4, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> m.stats(0, 0));
    }
}
