package dev.panamacnn.tools.training;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A PNG with two charts side by side (XChart): mean training loss per epoch, and training and
 * held-out accuracy per epoch. Needs no display: run with {@code -Djava.awt.headless=true}
 * (the CLI sets it) or on a machine without one.
 */
public final class TrainingPlot {
    static final int WIDTH = 640, HEIGHT = 420; // each chart

    private TrainingPlot() {}

    /** Writes the plot of {@code history} (one entry per epoch, in order) to {@code png}. */
    public static void write(Path png, List<EpochStats> history) throws IOException {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        double[] epoch = new double[history.size()];
        double[] loss = new double[epoch.length], train = new double[epoch.length], test = new double[epoch.length];
        boolean evaluated = false;
        for (int i = 0; i < epoch.length; i++) {
            EpochStats s = history.get(i);
            epoch[i] = s.epoch();
            loss[i] = s.trainLoss();
            train[i] = 100 * s.trainAccuracy();
            test[i] = 100 * s.testAccuracy();
            evaluated |= !Double.isNaN(s.testAccuracy());
        }
        XYChart lossChart = chart("Training loss", "mean cross-entropy");
        lossChart.getStyler().setLegendVisible(false); // one series: the title says it
        lossChart.addSeries("training loss", epoch, loss).setMarker(SeriesMarkers.CIRCLE);
        XYChart accChart = chart("Accuracy", "accuracy (%)");
        accChart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        accChart.addSeries("training", epoch, train).setMarker(SeriesMarkers.CIRCLE);
        if (evaluated) {
            accChart.addSeries("held-out", epoch, test).setMarker(SeriesMarkers.DIAMOND);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(List.of(lossChart, accChart), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setXAxisDecimalPattern("0");
        return c;
    }
}
