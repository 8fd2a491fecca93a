package dev.panamacnn.tools.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingPlotTest {
    @TempDir Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true"); // as the CLI runs it
    }

    private static List<EpochStats> history(int epochs, boolean evaluated) {
        List<EpochStats> h = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            h.add(new EpochStats(e, 8000, 1.0 / e, 0.9 + 0.01 * e, evaluated ? 0.92 + 0.01 * e : Double.NaN,
                    2.0, 4000));
        }
        return h;
    }

    @Test
    void writesAPngWithTwoChartsSideBySide() throws IOException {
        for (List<EpochStats> h : List.of(history(5, true), history(1, true), history(3, false))) {
            Path png = dir.resolve("plot-" + h.size() + ".png");
            TrainingPlot.write(png, h);
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, "ImageIO reads the PNG");
            assertEquals(2 * TrainingPlot.WIDTH, img.getWidth());
            assertEquals(TrainingPlot.HEIGHT, img.getHeight());
            assertTrue(distinctColours(img) > 8, "something is drawn");
        }
    }

    @Test
    void nothingToPlotIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> TrainingPlot.write(dir.resolve("x.png"), List.of()));
    }

    private static long distinctColours(BufferedImage img) {
        return java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().limit(100).count();
    }
}
