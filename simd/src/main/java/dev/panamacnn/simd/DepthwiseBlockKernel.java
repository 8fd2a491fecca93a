package dev.panamacnn.simd;

import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.DepthwiseChannelBlocks;

/**
 * 3×3 depthwise convolution on small planes, L channels per vector ({@link DepthwiseChannelBlocks}),
 * with fused bias and clamp, split by blocks of L channels across the pool; each worker uses its
 * slice of the context's {@link BlockScratch}.
 */
final class DepthwiseBlockKernel extends RangeKernel {
    private static final int LANES = VectorCapabilities.FLOAT_SPECIES.length();
    private final Ops.Conv op;
    private final float[] weights, bias;
    private final DepthwiseChannelBlocks.Geometry geometry;
    private final int channels;
    private final float lo, hi;

    DepthwiseBlockKernel(Ops.Conv op) {
        super(op.input().dim(0) * op.input().dim(1) / LANES, (long) LANES * op.output().dim(2) * op.output().dim(3) * 9);
        this.op = op;
        channels = op.input().dim(1);
        weights = DepthwiseChannelBlocks.packWeights(op.weight(), channels);
        bias = op.bias().clone();
        geometry = new DepthwiseChannelBlocks.Geometry(op.input().dim(2), op.input().dim(3), op.spec());
        lo = op.activation().min();
        hi = op.activation().max();
    }

    static boolean supports(Ops.Conv op) {
        int c = op.input().dim(1);
        return op.output().dim(1) == c && op.residual() == null
                && DepthwiseChannelBlocks.applies(op.spec(), c, op.input().dim(2), op.input().dim(3));
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        ctx.resource(BlockScratch.class, BlockScratch::new).reserve(ctx.pool().threads(), geometry.scratchFloats());
        return super.bind(ctx);
    }

    @Override
    void compute(ExecutionContext ctx, int from, int to, int worker) {
        var ws = ctx.workspace();
        DepthwiseChannelBlocks.run(ws, op.in().elementOffset(), weights, bias, ws, op.out().elementOffset(), channels,
                geometry, lo, hi, from, to, ctx.boundResource(BlockScratch.class).get(worker));
    }

    /** Per-worker heap buffers of {@link DepthwiseChannelBlocks}, as large as the largest layer bound. */
    static final class BlockScratch implements AutoCloseable {
        private DepthwiseChannelBlocks.Scratch[] workers = new DepthwiseChannelBlocks.Scratch[0];

        synchronized void reserve(int threads, int[] floats) {
            if (workers.length < threads) workers = java.util.Arrays.copyOf(workers, threads);
            for (int i = 0; i < threads; i++) {
                var s = workers[i];
                if (s == null || s.planes().length < floats[0] || s.padded().length < floats[1]
                        || s.results().length < floats[2]) {
                    workers[i] = new DepthwiseChannelBlocks.Scratch(
                            new float[Math.max(floats[0], s == null ? 0 : s.planes().length)],
                            new float[Math.max(floats[1], s == null ? 0 : s.padded().length)],
                            new float[Math.max(floats[2], s == null ? 0 : s.results().length)]);
                }
            }
        }

        DepthwiseChannelBlocks.Scratch get(int worker) {
            return workers[worker];
        }

        @Override
        public void close() {}
    }
}
