package dev.panamacnn.benchmarks;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.simd.kernels.BlockedDepthwise;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the simd backend's blocked 3×3 depthwise kernel ({@link BlockedDepthwise#rows}, padding
 * 1, ReLU6) alone on one layer's shape: every output row of every 16-channel block, as one
 * thread of {@code BlockedDepthwiseKernel} runs them. {@code -Dpanama.simd.depthwiseSteps=1}
 * gives the one-pixel-a-step baseline.
 *
 * <p>The output planes start 2 KB past a 4 KB boundary from the input's: with both at the same
 * offset within a 4 KB page, loads of the next rows wait on stores of this one (4 KB aliasing),
 * which cost 10 % here on a 56² plane and would measure the layout, not the kernel.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *        dev.panamacnn.benchmarks.DepthwiseRowRuns SIZE CHANNELS STRIDE
 *   # MobileNetV2 features.3.1: 56 144 1; features.5.1: 28 192 1; features.2.1: 112 96 2
 * </pre>
 */
public final class DepthwiseRowRuns {
    private static final long V = 64; // one blocked pixel: 16 floats
    private static final int SAMPLES = 41, REPEATS = 10;

    private DepthwiseRowRuns() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: DepthwiseRowRuns SIZE CHANNELS STRIDE (a SIZE x SIZE input, CHANNELS a multiple of 16, stride 1 or 2)");
            System.exit(2);
        }
        int size = Integer.parseInt(args[0]), channels = Integer.parseInt(args[1]), stride = Integer.parseInt(args[2]);
        if (size < 2 || channels % 16 != 0 || channels <= 0 || stride < 1 || stride > 2) {
            throw new IllegalArgumentException("need SIZE >= 2, CHANNELS a positive multiple of 16, STRIDE 1 or 2, got "
                    + size + ", " + channels + ", " + stride);
        }
        Conv2dSpec spec = Conv2dSpec.of(3).stride(stride).padding(1).groups(channels);
        int out = (size + 2 - 3) / stride + 1, blocks = channels / 16;
        long inPlane = (long) size * size * V, outPlane = (long) out * out * V;
        long outAt = (inPlane * blocks + 4095) / 4096 * 4096 + 2048;
        long weightsAt = (outAt + outPlane * blocks + 4095) / 4096 * 4096, biasAt = weightsAt + (blocks * 9L + 3) * V;
        try (Arena arena = Arena.ofConfined()) {
            // One segment, 4 KB aligned, for a layout that is the same in every process.
            MemorySegment ws = arena.allocate(biasAt + blocks * V, 4096);
            for (long i = 0; i < inPlane * blocks; i += 4) ws.set(ValueLayout.JAVA_FLOAT, i, (i / 4 % 7 - 3) * 0.1f);
            for (long i = 0; i < blocks * 9L * V; i += 4) ws.set(ValueLayout.JAVA_FLOAT, weightsAt + i, (i / 4 % 5 - 2) * 0.1f);
            for (int round = 0; round < 3; round++) {
                double[] samples = new double[SAMPLES];
                for (int s = 0; s < SAMPLES; s++) {
                    long start = System.nanoTime();
                    for (int r = 0; r < REPEATS; r++) {
                        for (int b = 0; b < blocks; b++) {
                            BlockedDepthwise.rows(ws, b * inPlane, outAt + b * outPlane, ws, weightsAt + b * 9 * V,
                                    weightsAt + blocks * 9 * V, ws, biasAt + b * V, size, size, out, spec, 0, out, 0f, 6f);
                        }
                    }
                    samples[s] = (System.nanoTime() - start) / 1e3 / REPEATS;
                }
                Arrays.sort(samples);
                double median = samples[SAMPLES / 2];
                System.out.printf(Locale.ROOT, "%d² x %d channels, stride %d: median %7.1f us, %.2f ns per output pixel%n",
                        size, channels, stride, median, median * 1e3 / ((long) out * out * blocks));
            }
        }
    }
}
