package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.coin;
import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Every pooling kernel equals {@link PoolRef} on random geometry, offsets and split ranges. */
class PoolKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernels to C2 first, so the properties also check the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.pool(), 5);
    }

    record Case(int n, int c, int h, int w, Pool2dSpec spec, long seed, long xOff, long yOff,
                int cut1, int cut2) {
        int planes() {
            return n * c;
        }
    }

    /** A third each: ResNet's 3×3/s2/p1, 2×2/s2, anything (strides 1–3, asymmetric padding). */
    static final Gen<Case> CASES = rs -> {
        int kind = draw(rs, 0, 2);
        Pool2dSpec spec;
        if (kind == 0) {
            spec = Pool2dSpec.of(3).stride(2).padding(1).ceilMode(coin(rs)).countIncludePad(coin(rs));
        } else if (kind == 1) {
            spec = Pool2dSpec.of(2).stride(2).ceilMode(coin(rs));
        } else {
            int kh = draw(rs, 1, 4), kw = draw(rs, 1, 4);
            spec = new Pool2dSpec(kh, kw, draw(rs, 1, 3), draw(rs, 1, 3),
                    draw(rs, 0, kh / 2), draw(rs, 0, kw / 2), draw(rs, 0, kh / 2), draw(rs, 0, kw / 2),
                    coin(rs), coin(rs));
        }
        int h = draw(rs, Math.max(1, spec.kernelH() - spec.padTop() - spec.padBottom()), 9);
        // Widths below, at and above one and two vectors, every tail.
        int w = draw(rs, Math.max(1, spec.kernelW() - spec.padLeft() - spec.padRight()), 4 * L + 5);
        int n = draw(rs, 1, 2), c = draw(rs, 1, 3);
        int a = draw(rs, 0, n * c), b = draw(rs, 0, n * c);
        return new Case(n, c, h, w, spec, seed(rs), draw(rs, 0, L + 1), draw(rs, 0, L + 1),
                Math.min(a, b), Math.max(a, b));
    };

    @Test
    void maxPoolEqualsReferenceExactly() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> check(k, true));
    }

    @Test
    void avgPoolEqualsReferenceWithinReductionTolerance() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> check(k, false));
    }

    private static void check(Case k, boolean max) {
        try (Arena arena = Arena.ofConfined()) {
            float[] data = Fixtures.uniform(k.seed, k.planes() * k.h * k.w, -2f, 2f);
            Tensor x = Tensor.of(arena, data, k.n, k.c, k.h, k.w);
            Tensor expected = max ? PoolRef.maxPool2d(x, k.spec, arena) : PoolRef.avgPool2d(x, k.spec, arena);
            int outPlane = k.spec.outH(k.h) * k.spec.outW(k.w);
            Placed in = Placed.of(arena, data, k.xOff);
            Placed out = Placed.empty(arena, k.planes() * outPlane, k.yOff);
            int[] bounds = {k.cut2, k.planes(), k.cut1, k.cut2, 0, k.cut1};
            for (int r = 0; r < bounds.length; r += 2) {
                if (max) {
                    PoolKernels.maxPool2d(in.segment(), in.offset(), out.segment(), out.offset(),
                            k.h, k.w, k.spec, bounds[r], bounds[r + 1]);
                } else {
                    PoolKernels.avgPool2d(in.segment(), in.offset(), out.segment(), out.offset(),
                            k.h, k.w, k.spec, bounds[r], bounds[r + 1]);
                }
            }
            Tolerance tol = max ? Tolerance.EXACT
                    : Tolerance.forReduction((long) k.spec.kernelH() * k.spec.kernelW(), Fixtures.rms(data));
            tol.assertClose(max ? "maxPool2d" : "avgPool2d", expected.toArray(), out.read());
            out.assertGuardsIntact("output");
            in.assertGuardsIntact("input");
        }
    }

    record GlobalCase(int planes, int planeSize, long seed, long xOff, long yOff, int cut1, int cut2) {}

    static final Gen<GlobalCase> GLOBAL = rs -> {
        int planes = draw(rs, 1, 7);
        // 7×7 (ResNet), tiny planes, and every tail around one to four vectors.
        int size = coin(rs) ? 49 : draw(rs, 1, 4 * L + 3);
        int a = draw(rs, 0, planes), b = draw(rs, 0, planes);
        return new GlobalCase(planes, size, seed(rs), draw(rs, 0, L), draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void globalPoolsEqualReference() {
        qt().withExamples(200).forAll(GLOBAL).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] data = Fixtures.uniform(k.seed, k.planes * k.planeSize, -3f, 3f);
                Tensor x = Tensor.of(arena, data, 1, k.planes, 1, k.planeSize);
                Placed in = Placed.of(arena, data, k.xOff);
                Placed avg = Placed.empty(arena, k.planes, k.yOff), max = Placed.empty(arena, k.planes, k.yOff);
                int[] bounds = {k.cut2, k.planes, 0, k.cut1, k.cut1, k.cut2};
                for (int r = 0; r < bounds.length; r += 2) {
                    PoolKernels.globalAvgPool(in.segment(), in.offset(), avg.segment(), avg.offset(),
                            k.planeSize, bounds[r], bounds[r + 1]);
                    PoolKernels.globalMaxPool(in.segment(), in.offset(), max.segment(), max.offset(),
                            k.planeSize, bounds[r], bounds[r + 1]);
                }
                Tolerance.forReduction(k.planeSize, Fixtures.rms(data) / k.planeSize)
                        .assertClose("globalAvgPool", PoolRef.globalAvgPool(x, arena).toArray(), avg.read());
                Tolerance.EXACT.assertClose("globalMaxPool", PoolRef.globalMaxPool(x, arena).toArray(), max.read());
                avg.assertGuardsIntact("globalAvgPool output");
                max.assertGuardsIntact("globalMaxPool output");
            }
        });
    }

    /** NaN inside a window propagates to that output, in the vector and the scalar paths alike. */
    @Test
    void maxPoolsPropagateNaN() {
        try (Arena arena = Arena.ofConfined()) {
            int h = 9, w = 3 * L + 7;
            float[] data = Fixtures.uniform(5, h * w, -2f, 2f);
            data[4 * w + 20] = Float.NaN; // interior: vector path
            data[2 * w] = Float.NaN;      // left border: scalar path
            data[8 * w + w - 1] = Float.NaN;
            Tensor x = Tensor.of(arena, data, 1, 1, h, w);
            for (Pool2dSpec spec : new Pool2dSpec[] {Pool2dSpec.of(3).stride(2).padding(1),
                    Pool2dSpec.of(2).stride(2).ceilMode(true), Pool2dSpec.of(3).stride(1)}) {
                Placed in = Placed.of(arena, data, 3), out = Placed.empty(arena, spec.outH(h) * spec.outW(w), 1);
                PoolKernels.maxPool2d(in.segment(), 3, out.segment(), 1, h, w, spec, 0, 1);
                Tolerance.EXACT.assertClose("maxPool2d " + spec, PoolRef.maxPool2d(x, spec, arena).toArray(), out.read());
            }
            Placed in = Placed.of(arena, data, 0), out = Placed.empty(arena, 1, 0);
            PoolKernels.globalMaxPool(in.segment(), 0, out.segment(), 0, h * w, 0, 1);
            Tolerance.EXACT.assertClose("globalMaxPool", new float[] {Float.NaN}, out.read());
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            var small = arena.allocate(16L * Float.BYTES);
            var spec = Pool2dSpec.of(2);
            assertThrows(IllegalArgumentException.class,
                    () -> PoolKernels.maxPool2d(small, 0, small, 0, 4, 4, spec, 0, 2)); // input too small
            assertThrows(IllegalArgumentException.class,
                    () -> PoolKernels.avgPool2d(small, 0, small, 0, 4, 4, spec, 1, 0)); // reversed range
            assertThrows(IllegalArgumentException.class,
                    () -> PoolKernels.maxPool2d(small, 0, small, 0, 1, 1, Pool2dSpec.of(3), 0, 1)); // kernel too big
            assertThrows(IllegalArgumentException.class,
                    () -> PoolKernels.globalAvgPool(small, -1, small, 0, 4, 0, 1)); // negative offset
        }
    }
}
