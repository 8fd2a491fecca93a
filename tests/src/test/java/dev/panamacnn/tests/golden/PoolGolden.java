package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import java.io.IOException;
import java.lang.foreign.Arena;

/** Golden checks for {@link PoolRef}: max/avg pooling (F.max_pool2d, F.avg_pool2d) and global pools. */
final class PoolGolden {
    private PoolGolden() {}

    static Pool2dSpec spec(GoldenCase c) {
        return Pool2dSpec.of(c.integer("kernel_h"), c.integer("kernel_w"))
                .stride(c.integer("stride_h"), c.integer("stride_w"))
                .padding(c.integer("pad_top"), c.integer("pad_left"),
                        c.integer("pad_bottom"), c.integer("pad_right"))
                .ceilMode(c.flag("ceil_mode"))
                .countIncludePad(c.flag("count_include_pad"));
    }

    static void maxPool(GoldenCase c, Arena arena) throws IOException {
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = PoolRef.maxPool2d(x, spec(c), arena);
        GoldenTolerances.exact().assertClose(c + " max_pool2d", expected, actual);
    }

    static void avgPool(GoldenCase c, Arena arena) throws IOException {
        Pool2dSpec spec = spec(c);
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = PoolRef.avgPool2d(x, spec, arena);
        long k = (long) spec.kernelH() * spec.kernelW();
        GoldenTolerances.sum(k, x).assertClose(c + " avg_pool2d", expected, actual);
    }

    static void globalAvgPool(GoldenCase c, Arena arena) throws IOException {
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = PoolRef.globalAvgPool(x, arena);
        long k = (long) x.dim(2) * x.dim(3);
        GoldenTolerances.sum(k, x).assertClose(c + " global_avg_pool", expected, actual);
    }

    static void globalMaxPool(GoldenCase c, Arena arena) throws IOException {
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = PoolRef.globalMaxPool(x, arena);
        GoldenTolerances.exact().assertClose(c + " global_max_pool", expected, actual);
    }
}
