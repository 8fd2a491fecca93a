package dev.panamacnn.benchmarks;

import dev.panamacnn.simd.kernels.FusedConvTiles;
import dev.panamacnn.simd.kernels.PointwisePairTiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the simd backend's 1×1 stride-1 tiles ({@link FusedConvTiles#flat16} for a 16-channel
 * output, {@link FusedConvTiles#flat} for 32-channel panels, or with {@code pairs} the {@link
 * PointwisePairTiles} for an output of 8, 16 or 24 channels) alone on one layer's shape, in
 * the unit order {@code BlockedConvKernel} uses (chunks of 8 tiles, panels inner), twice: over
 * the whole input and output ("streamed"), and re-reading one tile's input and re-writing one
 * tile's output ("in L1"). Equal times mean the layer is bound by the tile's instructions, not
 * by memory.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *        dev.panamacnn.benchmarks.PointwiseTileRuns PIXELS IN_CHANNELS OUT_CHANNELS [pairs]
 *   # MobileNetV2 features.1.1: 12544 32 16 pairs; features.2.0: 12544 16 96; features.2.2: 3136 96 24 pairs
 * </pre>
 */
public final class PointwiseTileRuns {
    private static final int PIXELS = FusedConvTiles.PIXELS, CHUNK = 8, SAMPLES = 41, REPEATS = 10;

    private PointwiseTileRuns() {}

    public static void main(String[] args) {
        boolean pairs = args.length == 4 && args[3].equals("pairs");
        if (args.length != 3 && !pairs) {
            System.err.println("usage: PointwiseTileRuns PIXELS IN_CHANNELS OUT_CHANNELS [pairs] (inputs a multiple of 16;"
                    + " outputs 16 or a multiple of 32, with pairs 8, 16 or 24)");
            System.exit(2);
        }
        int pixels = Integer.parseInt(args[0]), in = Integer.parseInt(args[1]), out = Integer.parseInt(args[2]);
        boolean outputsFit = pairs ? out == 8 || out == 16 || out == 24 : out == 16 || out % 32 == 0;
        if (pixels < CHUNK * PIXELS || in % 16 != 0 || !outputsFit) {
            throw new IllegalArgumentException("need at least " + CHUNK * PIXELS + " pixels, inputs a multiple of 16 and 16 or"
                    + " a multiple of 32 outputs (8, 16 or 24 with pairs), got " + pixels + ", " + in + ", " + out);
        }
        try (Arena arena = Arena.ofConfined()) {
            Layer layer = new Layer(arena, pixels, in, out, pairs);
            for (int i = 0; i < 2; i++) {
                for (boolean streamed : new boolean[] {true, false}) {
                    double micros = layer.medianMicros(streamed);
                    System.out.printf(Locale.ROOT, "%d pixels, %d -> %d channels%s, %-8s median %8.1f us  %6.1f GFLOP/s%n",
                            pixels, in, out, pairs ? " (pairs)" : "", streamed ? "streamed" : "in L1", micros,
                            layer.flops() / micros / 1e3);
                }
            }
        }
    }

    /** One layer's blocked input and output planes, packed weights and bias. */
    private static final class Layer {
        final int pixels, k, out, panels, halves;
        final boolean sixteen;
        final long plane;
        final int[] kOffset;
        final MemorySegment input, output, weights, bias, sums;

        Layer(Arena arena, int pixels, int in, int out, boolean pairs) {
            this.pixels = pixels;
            this.out = out;
            k = in;
            halves = pairs ? PointwisePairTiles.halves(out) : 0;
            sixteen = out == 16;
            panels = pairs || sixteen ? 1 : out / 32;
            plane = (long) pixels * 64;
            input = arena.allocate(plane * (in / 16), 64);
            output = arena.allocate(plane * ((out + 15) / 16), 64);
            weights = arena.allocate((long) panels * k * (sixteen ? 64 : 128), 64);
            bias = arena.allocate(panels * 128L, 64);
            sums = arena.allocate(1024, 64);
            fill(input);
            fill(weights);
            kOffset = new int[k];
            for (int c = 0; c < k; c++) kOffset[c] = Math.toIntExact(c / 16 * plane + c % 16 * 4);
        }

        private static void fill(MemorySegment s) {
            for (long i = 0; i < s.byteSize(); i += 4) s.set(ValueLayout.JAVA_FLOAT, i, (i / 4 % 7 - 3) * 0.1f);
        }

        double flops() {
            int counted = halves > 0 ? pixels / PointwisePairTiles.pixels(halves) * PointwisePairTiles.pixels(halves) : pixels / PIXELS * PIXELS;
            return 2.0 * counted * k * (halves > 0 ? out : sixteen ? 16 : 32 * panels);
        }

        double medianMicros(boolean streamed) {
            double[] samples = new double[SAMPLES];
            for (int s = 0; s < SAMPLES; s++) {
                long start = System.nanoTime();
                for (int r = 0; r < REPEATS; r++) run(streamed);
                samples[s] = (System.nanoTime() - start) / 1e3 / REPEATS;
            }
            Arrays.sort(samples);
            return samples[SAMPLES / 2];
        }

        private void run(boolean streamed) {
            if (halves > 0) {
                runPairs(streamed);
                return;
            }
            long panelWeights = (long) k * (sixteen ? 64 : 128);
            int tiles = pixels / PIXELS;
            for (int chunk = 0; chunk < tiles; chunk += CHUNK) {
                for (int p = 0; p < panels; p++) {
                    int run = Math.min(CHUNK, tiles - chunk);
                    long at = streamed ? chunk * (PIXELS * 64L) : 0;
                    if (sixteen) {
                        FusedConvTiles.flat16(run, input, at, kOffset, weights, 0, output, at, bias, 0, 0f, 6f);
                    } else {
                        FusedConvTiles.flat(run, input, at, kOffset, weights, p * panelWeights, output, at + 2L * p * plane, plane,
                                bias, p * 128L, 0f, 6f);
                    }
                }
            }
        }

        /** The pair tiles in units of 56 pixels, as {@code BlockedConvKernel} runs a layer's last panel. */
        private void runPairs(boolean streamed) {
            int px = PointwisePairTiles.pixels(halves), tiles = pixels / px, perUnit = CHUNK * PIXELS / px;
            for (int first = 0; first < tiles; first += perUnit) {
                int run = Math.min(perUnit, tiles - first);
                long at = streamed ? first * (px * 64L) : 0;
                switch (halves) {
                    case 1 -> PointwisePairTiles.pairs1(run, input, at, kOffset, weights, 0, output, at, plane, bias, 0, 0f, 6f, sums, 0);
                    case 2 -> PointwisePairTiles.pairs2(run, input, at, kOffset, weights, 0, output, at, plane, bias, 0, 0f, 6f, sums, 0);
                    default -> PointwisePairTiles.pairs3(run, input, at, kOffset, weights, 0, output, at, plane, bias, 0, 0f, 6f, sums, 0);
                }
            }
        }
    }
}
