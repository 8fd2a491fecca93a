package dev.panamacnn.simd;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The packer that fuses im2col into GEMM packing writes exactly the panels of
 * {@code ConvRef.im2col} (bit-exact: it only moves data), for every stride (1 and 2 take vector
 * paths), padding, dilation, group, block offset and panel tail, in the plain and (stride 1)
 * the wide layout.
 */
class Im2colPackerTest {
    record Case(int c, int h, int w, int groups, int group, Conv2dSpec spec, boolean wide, int k0, int kc, int n0, int nc,
                long seed) {}

    static Gen<Case> cases() {
        return in -> {
            int kh = integers().between(1, 7).generate(in), kw = integers().between(1, 7).generate(in);
            int s = integers().between(1, 3).generate(in), d = integers().between(1, 2).generate(in);
            int pt = integers().between(0, 3).generate(in), pl = integers().between(0, 3).generate(in);
            int pb = integers().between(0, 3).generate(in), pr = integers().between(0, 3).generate(in);
            int groups = integers().between(1, 3).generate(in);
            int c = groups * integers().between(1, 3).generate(in);
            int h = Math.max(1, d * (kh - 1) + 1 - pt - pb) + integers().between(0, 12).generate(in);
            int w = Math.max(1, d * (kw - 1) + 1 - pl - pr) + integers().between(0, 70).generate(in);
            Conv2dSpec spec = Conv2dSpec.of(kh, kw).stride(s).dilation(d).padding(pt, pl, pb, pr).groups(groups);
            // The wide layout (stride 1): columns over the input's width, those past OW zero.
            boolean wide = Im2colPacker.wideApplies(spec, h, w) && integers().between(0, 1).generate(in) == 1;
            int k = c / groups * kh * kw, n = spec.outH(h) * (wide ? w : spec.outW(w));
            int k0 = integers().between(0, k - 1).generate(in);
            int kc = integers().between(1, k - k0).generate(in);
            int n0 = GemmConfig.NR * integers().between(0, (n - 1) / GemmConfig.NR).generate(in);
            int nc = integers().between(1, n - n0).generate(in);
            return new Case(c, h, w, groups, integers().between(0, groups - 1).generate(in), spec, wide, k0, kc, n0, nc,
                    integers().all().generate(in));
        };
    }

    @Test
    void packedPanelsEqualIm2col() {
        qt().withExamples(300).forAll(cases()).checkAssert(cs -> {
            try (Arena arena = Arena.ofConfined()) {
                int cg = cs.c() / cs.groups();
                Tensor x = Tensor.randomNormal(arena, cs.seed(), 0f, 1f, 1, cs.c(), cs.h(), cs.w());
                // Put the image at an odd offset inside a larger buffer, as in a workspace.
                long offset = 37;
                MemorySegment buf = arena.allocate((offset + x.size()) * 4 + 64, 64);
                MemorySegment.copy(x.segment(), 0, buf, offset * 4, x.size() * 4);
                Im2colPacker packer = new Im2colPacker(buf, offset, cs.group() * cg, cg, cs.h(), cs.w(), cs.spec(),
                        cs.wide());
                int panels = (cs.nc() + GemmConfig.NR - 1) / GemmConfig.NR;
                MemorySegment dst = arena.allocate((long) panels * cs.kc() * GemmConfig.NR * 4, 64);
                dst.fill((byte) 0x7f); // garbage: the packer must write every float
                packer.pack(cs.k0(), cs.kc(), cs.n0(), cs.nc(), dst, 0);

                float[] cols = ConvRef.im2col(x, cs.spec(), arena).toArray(); // [1, C·kh·kw, N]
                int kk = cs.spec().kernelH() * cs.spec().kernelW();
                int ow = cs.spec().outW(cs.w()), n = cs.spec().outH(cs.h()) * ow;
                int width = cs.wide() ? cs.w() : ow, packedN = cs.spec().outH(cs.h()) * width;
                for (int p = 0; p < panels; p++) {
                    for (int r = 0; r < cs.kc(); r++) {
                        for (int j = 0; j < GemmConfig.NR; j++) {
                            int col = cs.n0() + p * GemmConfig.NR + j;
                            int row = cs.group() * cg * kk + cs.k0() + r;
                            boolean real = col < cs.n0() + cs.nc() && col < packedN && col % width < ow;
                            float expected = real ? cols[row * n + col / width * ow + col % width] : 0f;
                            float actual = dst.getAtIndex(Tensor.FLOAT, ((long) p * cs.kc() + r) * GemmConfig.NR + j);
                            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
                                throw new AssertionError(cs + ": panel " + p + " row " + r + " col " + j
                                        + " expected " + expected + " got " + actual);
                            }
                        }
                    }
                }
            }
        });
    }
}
