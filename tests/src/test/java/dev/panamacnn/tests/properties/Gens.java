package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.Arena;
import org.quicktheories.core.Gen;

/**
 * Generators of convolution and pooling problems for the property tests.
 *
 * <p>Shapes are drawn so the kernel always fits: an input side is the smallest size the (dilated)
 * kernel fits into plus 0–9 extra, which sweeps odd, even and prime sizes from the edge case up.
 * Padding may differ on every side. Tensor data is seeded normal noise (dense, never zero-heavy);
 * the seed is part of the generated case so a failure replays exactly.
 */
final class Gens {
    private Gens() {}

    /** A convolution problem: input {@code [n, c, h, w]}, {@code outC} output channels. */
    record ConvCase(int n, int c, int h, int w, int outC, Conv2dSpec spec, long seed) {
        Tensor input(Arena arena) {
            return Tensor.randomNormal(arena, seed, 0f, 1f, n, c, h, w);
        }

        Tensor weight(Arena arena) {
            return Tensor.randomNormal(arena, seed ^ 0x5DEECE66DL, 0f, 1f,
                    spec.weightShape(c, outC).dims());
        }

        int outH() {
            return spec.outH(h);
        }

        int outW() {
            return spec.outW(w);
        }
    }

    /** A pooling problem: input {@code [n, c, h, w]}. */
    record PoolCase(int n, int c, int h, int w, Pool2dSpec spec, long seed) {
        Tensor input(Arena arena) {
            return Tensor.randomNormal(arena, seed, 0f, 1f, n, c, h, w);
        }
    }

    /** Seeds for tensor data. */
    static Gen<Long> seeds() {
        return longs().all();
    }

    /**
     * Convolutions with kernels up to {@code maxKernel} per side, strides up to {@code maxStride},
     * dilations up to {@code maxDilation}, asymmetric padding up to 3 (never more than the dilated
     * kernel minus one, so every window still reads the input), and, when {@code grouped},
     * grouped and depthwise channel layouts.
     */
    static Gen<ConvCase> convCases(int maxKernel, int maxStride, int maxDilation, boolean grouped) {
        return in -> {
            int kh = integers().between(1, maxKernel).generate(in);
            int kw = integers().between(1, maxKernel).generate(in);
            int sh = integers().between(1, maxStride).generate(in);
            int sw = integers().between(1, maxStride).generate(in);
            int dh = integers().between(1, maxDilation).generate(in);
            int dw = integers().between(1, maxDilation).generate(in);
            int eh = dh * (kh - 1) + 1, ew = dw * (kw - 1) + 1;
            int pt = integers().between(0, Math.min(3, eh - 1)).generate(in);
            int pb = integers().between(0, Math.min(3, eh - 1)).generate(in);
            int pl = integers().between(0, Math.min(3, ew - 1)).generate(in);
            int pr = integers().between(0, Math.min(3, ew - 1)).generate(in);
            int h = Math.max(1, eh - pt - pb) + integers().between(0, 9).generate(in);
            int w = Math.max(1, ew - pl - pr) + integers().between(0, 9).generate(in);
            // Channel layout: 0 plain, 1 depthwise (one input channel per group), 2 general groups.
            int layout = grouped ? integers().between(0, 2).generate(in) : 0;
            int groups, perGroupIn, perGroupOut;
            switch (layout) {
                case 1 -> {
                    groups = integers().between(1, 5).generate(in);
                    perGroupIn = 1;
                    perGroupOut = integers().between(1, 2).generate(in);
                }
                case 2 -> {
                    groups = integers().between(2, 3).generate(in);
                    perGroupIn = integers().between(1, 3).generate(in);
                    perGroupOut = integers().between(1, 3).generate(in);
                }
                default -> {
                    groups = 1;
                    perGroupIn = integers().between(1, 4).generate(in);
                    perGroupOut = integers().between(1, 4).generate(in);
                }
            }
            int n = integers().between(1, 2).generate(in);
            long seed = seeds().generate(in);
            Conv2dSpec spec = Conv2dSpec.of(kh, kw).stride(sh, sw).padding(pt, pl, pb, pr)
                    .dilation(dh, dw).groups(groups);
            return new ConvCase(n, groups * perGroupIn, h, w, groups * perGroupOut, spec, seed);
        };
    }

    /** Any convolution geometry, grouped and depthwise included. */
    static Gen<ConvCase> convCases() {
        return convCases(5, 3, 3, true);
    }

    /**
     * Pooling windows from {@code minKernelH}×1 to 5×5 with strides 1–3, asymmetric padding up to
     * half the kernel (PyTorch's limit), floor or ceil mode, padding counted or not.
     */
    static Gen<PoolCase> poolCases(int minKernelH) {
        return in -> {
            int kh = integers().between(minKernelH, 5).generate(in);
            int kw = integers().between(1, 5).generate(in);
            int sh = integers().between(1, 3).generate(in);
            int sw = integers().between(1, 3).generate(in);
            int pt = integers().between(0, kh / 2).generate(in);
            int pb = integers().between(0, kh / 2).generate(in);
            int pl = integers().between(0, kw / 2).generate(in);
            int pr = integers().between(0, kw / 2).generate(in);
            boolean ceil = booleans().all().generate(in);
            boolean countPad = booleans().all().generate(in);
            int h = Math.max(1, kh - pt - pb) + integers().between(0, 9).generate(in);
            int w = Math.max(1, kw - pl - pr) + integers().between(0, 9).generate(in);
            int n = integers().between(1, 2).generate(in);
            int c = integers().between(1, 4).generate(in);
            long seed = seeds().generate(in);
            Pool2dSpec spec = Pool2dSpec.of(kh, kw).stride(sh, sw).padding(pt, pl, pb, pr)
                    .ceilMode(ceil).countIncludePad(countPad);
            return new PoolCase(n, c, h, w, spec, seed);
        };
    }

    static Gen<PoolCase> poolCases() {
        return poolCases(1);
    }
}
