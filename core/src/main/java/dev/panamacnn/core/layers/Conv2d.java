package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import java.util.ArrayList;
import java.util.List;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/**
 * 2-D convolution with learned filters: {@code weight [out, in/groups, kH, kW]} and optional
 * {@code bias [out]}. A 1×1 kernel changes the channel count and keeps H×W; 3×3 is the
 * workhorse; groups = in = out is depthwise. Build fluently:
 * {@code Conv2d.of(3, 64, 7).stride(2).padding(3).noBias()}.
 */
public record Conv2d(int inChannels, int outChannels, Conv2dSpec spec, boolean bias) implements Layer, Trainable {

    public Conv2d {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv2d channels must be >= 1, got in " + inChannels
                    + ", out " + outChannels);
        }
        spec.weightShape(inChannels, outChannels); // validates groups
    }

    /** k×k kernel, stride 1, no padding, with bias (PyTorch's defaults). */
    public static Conv2d of(int in, int out, int kernel) {
        return new Conv2d(in, out, Conv2dSpec.of(kernel), true);
    }

    public static Conv2d of(int in, int out, Conv2dSpec spec) {
        return new Conv2d(in, out, spec, true);
    }

    public Conv2d stride(int s) {
        return new Conv2d(inChannels, outChannels, spec.stride(s), bias);
    }

    public Conv2d padding(int p) {
        return new Conv2d(inChannels, outChannels, spec.padding(p), bias);
    }

    public Conv2d dilation(int d) {
        return new Conv2d(inChannels, outChannels, spec.dilation(d), bias);
    }

    public Conv2d groups(int g) {
        return new Conv2d(inChannels, outChannels, spec.groups(g), bias);
    }

    /** Without bias, as before a batch-norm (whose β makes a bias redundant). */
    public Conv2d noBias() {
        return new Conv2d(inChannels, outChannels, spec, false);
    }

    public Shape weightShape() {
        return spec.weightShape(inChannels, outChannels);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(describe() + ": input must be 4-D [N, C, H, W], got " + input);
        }
        if (input.dim(1) != inChannels) {
            throw new IllegalArgumentException(describe() + ": input channels expected " + inChannels
                    + ", got " + input.dim(1) + " (input " + input + ")");
        }
        return spec.outputShape(input, outChannels);
    }

    @Override
    public List<Variable> variables() {
        List<Variable> v = new ArrayList<>();
        v.add(Variable.parameter("weight", weightShape(), Variable.Init.KAIMING_NORMAL));
        if (bias) v.add(Variable.parameter("bias", Shape.of(outChannels), Variable.Init.ZEROS));
        return v;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        outputShape(x.shape());
        return ConvRef.conv2d(x, scope.param("weight"), bias ? scope.param("bias") : null, spec,
                scope.arena());
    }

    /** Forward with the tape's kernels; backward gives ∂L/∂w, ∂L/∂b (im2col/col2im GEMMs in fast kernels) and ∂L/∂x. */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Shape os = outputShape(x.shape());
        Tensor w = scope.param("weight"), b = bias ? scope.param("bias") : null;
        Tensor y = tape.uninitialized(os);
        tape.kernels().conv2d(x, w, b, spec, y);
        Tensor dw = tape.grad(scope, "weight"), db = bias ? tape.grad(scope, "bias") : null;
        return new Pass(y, dy -> {
            Tensor dx = inputGrad ? tape.uninitialized(x.shape()) : null;
            tape.kernels().conv2dBackward(x, w, spec, dy, dx, dw, db);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        Shape out = outputShape(input);
        return out.size() * (2 * spec.macsPerOutput(inChannels) + (bias ? 1 : 0));
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("Conv2d(").append(inChannels).append("→").append(outChannels)
                .append(", ").append(spec.kernelH()).append('×').append(spec.kernelW());
        if (spec.strideH() != 1 || spec.strideW() != 1) {
            s.append(", stride ").append(spec.strideH() == spec.strideW() ? "" + spec.strideH()
                    : spec.strideH() + "×" + spec.strideW());
        }
        if (spec.padTop() == spec.padBottom() && spec.padLeft() == spec.padRight()
                && spec.padTop() == spec.padLeft()) {
            if (spec.padTop() != 0) s.append(", pad ").append(spec.padTop());
        } else {
            s.append(", pad ").append(spec.padTop()).append(',').append(spec.padLeft()).append(',')
                    .append(spec.padBottom()).append(',').append(spec.padRight());
        }
        if (spec.dilationH() != 1 || spec.dilationW() != 1) s.append(", dilation ").append(spec.dilationH());
        if (spec.groups() != 1) s.append(", groups ").append(spec.groups());
        if (!bias) s.append(", no bias");
        return s.append(')').toString();
    }
}
