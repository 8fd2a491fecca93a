package dev.panamacnn.tools.training;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One live progress bar per epoch (me.tongfei:progressbar): samples done, elapsed time, ETA,
 * and samples/s, loss and accuracy so far; then one summary line per epoch with the held-out
 * accuracy.
 *
 * <p>On a terminal the bar redraws in place; elsewhere (a pipe, a CI log, a test's stream) it is
 * plain ASCII, one line per update, at most one every {@value #LOG_INTERVAL_MS} ms.
 */
public final class ConsoleProgress implements TrainingProgress {
    static final int LOG_INTERVAL_MS = 2000;
    private static final int LOG_WIDTH = 132; // characters per log line
    private static final long MESSAGE_INTERVAL_NANOS = 100_000_000; // the bar redraws ~10×/s at most

    private final PrintStream out;
    private final boolean terminal;
    private final EpochMeter meter = new EpochMeter();
    private ProgressBar bar;
    private int epochs;
    private long lastMessageNanos;

    /**
     * Progress on {@code out}; {@code terminal} says whether it is an interactive terminal
     * (redraw in place, Unicode blocks) or a log (ASCII lines).
     */
    public ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on standard error, redrawn in place when a terminal is attached. */
    public static ConsoleProgress toStandardError() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void onEpochStart(int epoch, int epochs, long samples) {
        closeBar();
        this.epochs = epochs;
        meter.start();
        lastMessageNanos = System.nanoTime();
        bar = new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(samples)
                .setUnit(" samples", 1)
                // Our own samples/s in the message: the bar's speed divides by whole seconds.
                .setStyle(terminal ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 200 : LOG_INTERVAL_MS)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(out)
                        : new DelegatingProgressBarConsumer(out::println, LOG_WIDTH))
                .build();
    }

    @Override
    public void onBatch(int samples, double loss, int correct) {
        if (bar == null) {
            throw new IllegalStateException("onBatch before onEpochStart");
        }
        meter.add(samples, loss, correct);
        bar.stepBy(samples);
        long now = System.nanoTime();
        if (now - lastMessageNanos >= MESSAGE_INTERVAL_NANOS) {
            lastMessageNanos = now;
            bar.setExtraMessage(runningMessage());
        }
    }

    @Override
    public void onEpochEnd(EpochStats stats) {
        if (bar != null) {
            bar.setExtraMessage(runningMessage());
            closeBar();
        }
        out.println(summary(stats, epochs));
    }

    @Override
    public void close() {
        closeBar();
    }

    /** For example {@code epoch 2/5  loss 0.1234  train 96.10 %  held-out 97.45 %  4,321 samples/s  1.9 s}. */
    static String summary(EpochStats s, int epochs) {
        String test = Double.isNaN(s.testAccuracy()) ? ""
                : String.format(Locale.ROOT, "  held-out %.2f %%", 100 * s.testAccuracy());
        return String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  train %.2f %%%s  %,.0f samples/s  %.1f s",
                s.epoch(), epochs, s.trainLoss(), 100 * s.trainAccuracy(), test, s.samplesPerSecond(),
                s.seconds());
    }

    private String runningMessage() {
        return String.format(Locale.ROOT, "%,.0f samples/s  loss %.4f  acc %.2f %%",
                meter.samplesPerSecond(), meter.meanLoss(), 100 * meter.accuracy());
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
