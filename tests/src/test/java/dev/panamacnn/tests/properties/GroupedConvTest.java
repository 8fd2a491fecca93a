package dev.panamacnn.tests.properties;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * A grouped convolution (depthwise included) is G independent convolutions: group g's output
 * channels are the one-group convolution of group g's input channels with group g's filters.
 * This pins down the channel bookkeeping that linearity and shape checks cannot see.
 */
class GroupedConvTest {

    /** Channels [from, from + count) of an [N, C, H, W] tensor. */
    private static Tensor channels(Tensor t, int from, int count, Arena arena) {
        int n = t.dim(0), c = t.dim(1);
        long plane = t.shape().sizeFrom(2);
        Tensor out = Tensor.allocate(arena, Shape.of(n, count, t.dim(2), t.dim(3)));
        for (int b = 0; b < n; b++)
            for (int i = 0; i < count; i++)
                for (long k = 0; k < plane; k++)
                    out.setFlat(((long) b * count + i) * plane + k, t.getFlat(((long) b * c + from + i) * plane + k));
        return out;
    }

    @Test
    void groupedConvIsIndependentConvsPerGroup() {
        Props.qt(150).forAll(Gens.convCases()).checkAssert(cc -> {
            try (Arena arena = Arena.ofConfined()) {
                Conv2dSpec spec = cc.spec();
                int g = spec.groups(), cg = cc.c() / g, og = cc.outC() / g;
                Tensor x = cc.input(arena), w = cc.weight(arena);
                Tensor bias = Tensor.randomNormal(arena, cc.seed() + 7, 0f, 1f, cc.outC());
                Tensor y = ConvRef.conv2d(x, w, bias, spec, arena);
                Conv2dSpec single = spec.groups(1);
                for (int grp = 0; grp < g; grp++) {
                    // Seen as [1, O, C/G·kH·kW, 1], the filters of a group are a run of "channels".
                    int taps = cg * spec.kernelH() * spec.kernelW();
                    Tensor wg = channels(w.reshape(1, cc.outC(), taps, 1), grp * og, og, arena)
                            .reshape(og, cg, spec.kernelH(), spec.kernelW());
                    Tensor bg = Tensor.allocate(arena, Shape.of(og));
                    for (int o = 0; o < og; o++) bg.setFlat(o, bias.getFlat(grp * og + o));
                    Tensor expected = ConvRef.conv2d(channels(x, grp * cg, cg, arena), wg, bg, single, arena);
                    double termScale = Tolerance.rms(x.toArray()) * Tolerance.rms(w.toArray());
                    Tolerance.forReduction(spec.macsPerOutput(cc.c()), termScale).assertClose("group " + grp + " of " + g, expected.toArray(),
                                    channels(y, grp * og, og, arena).toArray());
                }
            }
        });
    }
}
