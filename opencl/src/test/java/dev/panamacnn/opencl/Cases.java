package dev.panamacnn.opencl;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import org.quicktheories.core.Gen;

/**
 * Generators of kernel problems. Sides are the smallest size the (dilated) kernel fits plus
 * 0–12, so odd, prime and tile-crossing sizes all occur; padding differs per side; channel counts
 * sometimes exceed one GEMM tile. The data seed is part of each case, so a failure replays.
 */
final class Cases {
    private Cases() {}

    record ConvCase(int n, int c, int h, int w, int outC, Conv2dSpec spec, boolean bias, Activation act, long seed) {
        Shape input() {
            return Shape.of(n, c, h, w);
        }
    }

    record PoolCase(Shape input, Pool2dSpec spec, boolean max, long seed) {}

    static Gen<Activation> clamps() {
        return integers().between(0, 3).map(i -> clampOf(i));
    }

    /** One of the clamps, picked by a seed (for properties that already use four generators). */
    static Activation clampOf(long seed) {
        return switch ((int) Math.floorMod(seed, 4L)) {
            case 0 -> Activation.IDENTITY;
            case 1 -> Activation.RELU;
            case 2 -> Activation.RELU6;
            default -> Activation.clip(-3f, 5f);
        };
    }

    static Gen<Activation> anyActivation() {
        return integers().between(0, 7).map(i -> switch (i) {
            case 0 -> Activation.IDENTITY;
            case 1 -> Activation.RELU;
            case 2 -> Activation.RELU6;
            case 3 -> Activation.clip(-0.5f, 0.75f);
            case 4 -> Activation.SIGMOID;
            case 5 -> Activation.TANH;
            case 6 -> Activation.hardSigmoid(0.2f, 0.5f);
            default -> Activation.HARD_SWISH;
        });
    }

    /**
     * Convolutions: kernels 1–5 per side (1×1 often, for the pointwise path), strides 1–3,
     * dilation 1–2, asymmetric padding, and plain, grouped or depthwise channel layouts.
     */
    static Gen<ConvCase> convs(int maxChannelsPerGroup) {
        return in -> {
            boolean pointwise = integers().between(0, 3).generate(in) == 0;
            int kh = pointwise ? 1 : integers().between(1, 5).generate(in);
            int kw = pointwise ? 1 : integers().between(1, 5).generate(in);
            int sh = pointwise ? 1 : integers().between(1, 3).generate(in);
            int sw = pointwise ? 1 : integers().between(1, 3).generate(in);
            int dh = integers().between(1, 2).generate(in), dw = integers().between(1, 2).generate(in);
            int eh = dh * (kh - 1) + 1, ew = dw * (kw - 1) + 1;
            int pt = pointwise ? 0 : integers().between(0, Math.min(3, eh - 1)).generate(in);
            int pb = pointwise ? 0 : integers().between(0, Math.min(3, eh - 1)).generate(in);
            int pl = pointwise ? 0 : integers().between(0, Math.min(3, ew - 1)).generate(in);
            int pr = pointwise ? 0 : integers().between(0, Math.min(3, ew - 1)).generate(in);
            int h = Math.max(1, eh - pt - pb) + integers().between(0, 12).generate(in);
            int w = Math.max(1, ew - pl - pr) + integers().between(0, 12).generate(in);
            int layout = integers().between(0, 3).generate(in); // 0, 1 plain; 2 depthwise; 3 grouped
            int groups, cg, og;
            switch (layout) {
                case 2 -> {
                    groups = integers().between(2, 6).generate(in);
                    cg = 1;
                    og = integers().between(1, 2).generate(in);
                }
                case 3 -> {
                    groups = integers().between(2, 3).generate(in);
                    cg = integers().between(1, 4).generate(in);
                    og = integers().between(1, 5).generate(in);
                }
                default -> {
                    groups = 1;
                    cg = integers().between(1, maxChannelsPerGroup).generate(in);
                    og = integers().between(1, maxChannelsPerGroup).generate(in);
                }
            }
            int n = integers().between(1, 3).generate(in);
            boolean bias = booleans().all().generate(in);
            Activation act = clamps().generate(in);
            Conv2dSpec spec = Conv2dSpec.of(kh, kw).stride(sh, sw).padding(pt, pl, pb, pr).dilation(dh, dw).groups(groups);
            return new ConvCase(n, groups * cg, h, w, groups * og, spec, bias, act, longs().all().generate(in));
        };
    }

    /** Pooling: windows up to 5×5, strides 1–3, padding up to half the window per side, ceil mode, count_include_pad. */
    static Gen<PoolCase> pools() {
        return in -> {
            int kh = integers().between(1, 5).generate(in), kw = integers().between(1, 5).generate(in);
            int sh = integers().between(1, 3).generate(in), sw = integers().between(1, 3).generate(in);
            int pt = integers().between(0, kh / 2).generate(in), pb = integers().between(0, kh / 2).generate(in);
            int pl = integers().between(0, kw / 2).generate(in), pr = integers().between(0, kw / 2).generate(in);
            Pool2dSpec spec = Pool2dSpec.of(kh, kw).stride(sh, sw).padding(pt, pl, pb, pr)
                    .ceilMode(booleans().all().generate(in)).countIncludePad(booleans().all().generate(in));
            int h = Math.max(1, kh - pt - pb) + integers().between(0, 12).generate(in);
            int w = Math.max(1, kw - pl - pr) + integers().between(0, 12).generate(in);
            Shape input = Shape.of(integers().between(1, 2).generate(in), integers().between(1, 5).generate(in), h, w);
            return new PoolCase(input, spec, booleans().all().generate(in), longs().all().generate(in));
        };
    }

    /** A tensor shape of rank 2–4 with sides 1–13. */
    static Gen<Shape> shapes() {
        return in -> {
            int rank = integers().between(2, 4).generate(in);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) dims[i] = integers().between(1, i == 0 ? 3 : 13).generate(in);
            return Shape.of(dims);
        };
    }
}
