package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import java.io.IOException;
import java.lang.foreign.Arena;

/** Golden checks for {@link ConvRef}: conv2d (F.conv2d), im2col (F.unfold), col2im (F.fold). */
final class ConvGolden {
    private ConvGolden() {}

    static Conv2dSpec spec(GoldenCase c) {
        Conv2dSpec s = Conv2dSpec.of(c.integer("kernel_h"), c.integer("kernel_w"))
                .stride(c.integer("stride_h"), c.integer("stride_w"))
                .padding(c.integer("pad_top"), c.integer("pad_left"),
                        c.integer("pad_bottom"), c.integer("pad_right"))
                .dilation(c.integer("dilation_h"), c.integer("dilation_w"));
        return c.props().containsKey("groups") ? s.groups(c.integer("groups")) : s;
    }

    static void conv2d(GoldenCase c, Arena arena) throws IOException {
        Conv2dSpec spec = spec(c);
        Tensor x = c.array("x", arena), w = c.array("w", arena), expected = c.array("y", arena);
        Tensor bias = c.flag("bias") ? c.array("b", arena) : null;
        if (c.flag("bias") != c.hasArray("b")) {
            throw new IllegalStateException(c + ": bias flag disagrees with b.npy");
        }
        Tensor actual = ConvRef.conv2d(x, w, bias, spec, arena);
        long k = spec.macsPerOutput(x.dim(1));
        GoldenTolerances.dot(k, x, w).assertClose(c + " conv2d", expected, actual);
    }

    static void im2col(GoldenCase c, Arena arena) throws IOException {
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = ConvRef.im2col(x, spec(c), arena);
        GoldenTolerances.exact().assertClose(c + " im2col", expected, actual);
    }

    static void col2im(GoldenCase c, Arena arena) throws IOException {
        Conv2dSpec spec = spec(c);
        Tensor cols = c.array("x", arena), expected = c.array("y", arena);
        Tensor actual = ConvRef.col2im(cols, c.integer("channels"), c.integer("height"),
                c.integer("width"), spec, arena);
        // An input position receives at most kH·kW column entries.
        long k = (long) spec.kernelH() * spec.kernelW();
        GoldenTolerances.sum(k, cols).assertClose(c + " col2im", expected, actual);
    }
}
