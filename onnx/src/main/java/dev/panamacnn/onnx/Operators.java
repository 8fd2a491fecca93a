package dev.panamacnn.onnx;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.MatMul;
import dev.panamacnn.core.layers.Pad;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.ReduceMean;
import dev.panamacnn.core.layers.Reshape;
import dev.panamacnn.core.layers.Slice;
import dev.panamacnn.core.layers.Softmax;
import dev.panamacnn.core.layers.Transpose;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mapping of each supported ONNX operator that runs on activations onto panama-cnn layers,
 * with every attribute checked ({@link Attrs#allow}). Semantics follow the ONNX operator specs
 * for opsets 11–17.
 */
final class Operators {
    /** Every operator the importer accepts: these, plus those {@link ConstFolder} evaluates. */
    static final Set<String> RUNTIME = Set.of("Conv", "BatchNormalization", "Relu", "Clip", "Sigmoid", "HardSigmoid",
            "HardSwish", "Tanh", "Add", "Sub", "Mul", "Div", "MaxPool", "AveragePool", "GlobalAveragePool",
            "GlobalMaxPool", "ReduceMean", "Gemm", "MatMul", "Flatten", "Reshape", "Transpose", "Concat", "Split",
            "Slice", "Squeeze", "Unsqueeze", "Softmax", "Pad", "Dropout", "Identity", "Cast");

    private Operators() {}

    static String supported() {
        Set<String> all = new TreeSet<>(RUNTIME);
        all.addAll(ConstFolder.FOLDABLE);
        return String.join(", ", all);
    }

    static void map(Importer im, NodeProto n) {
        Attrs at = new Attrs(n);
        String x = n.getInputCount() > 0 && !n.getInput(0).isEmpty() ? n.getInput(0) : null;
        switch (n.getOpType()) {
            case "Conv" -> conv(im, n, at);
            case "BatchNormalization" -> batchNorm(im, n, at);
            case "Relu" -> im.add(n, act(at, Act.relu()), im.value(n, 0), Map.of());
            case "Sigmoid" -> im.add(n, act(at, Act.sigmoid()), im.value(n, 0), Map.of());
            case "Tanh" -> im.add(n, act(at, Act.tanh()), im.value(n, 0), Map.of());
            case "HardSwish" -> im.add(n, act(at, Act.hardSwish()), im.value(n, 0), Map.of());
            case "HardSigmoid" -> {
                at.allow("alpha", "beta");
                im.add(n, Act.hardSigmoid(at.f("alpha", 0.2f), at.f("beta", 0.5f)), im.value(n, 0), Map.of());
            }
            case "Clip" -> {
                at.allow();
                ConstTensor lo = im.optionalConstant(n, 1, "min"), hi = im.optionalConstant(n, 2, "max");
                float min = lo == null ? Float.NEGATIVE_INFINITY : scalar(n, lo, "min");
                float max = hi == null ? Float.POSITIVE_INFINITY : scalar(n, hi, "max");
                im.add(n, Act.clip(min, max), im.value(n, 0), Map.of());
            }
            case "Add", "Sub", "Mul", "Div" -> {
                at.allow();
                BinaryOp op = BinaryOp.valueOf(n.getOpType().toUpperCase(java.util.Locale.ROOT));
                im.add(n, "", new Binary(op), List.of(im.value(n, 0), im.value(n, 1)), n.getOutput(0), Map.of());
            }
            case "MaxPool", "AveragePool" -> pool(im, n, at);
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                at.allow();
                rank(im, n, 4, "[N, C, H, W]");
                im.add(n, n.getOpType().equals("GlobalMaxPool") ? GlobalPool.max() : GlobalPool.avg(), im.value(n, 0), Map.of());
            }
            case "ReduceMean" -> {
                at.allow("axes", "keepdims");
                int rank = im.shape(n, 0).rank();
                long[] axes = at.ints("axes", null);
                int[] ax = axes == null ? java.util.stream.IntStream.range(0, rank).toArray() : Attrs.toInts(axes, "axis");
                im.add(n, new ReduceMean(ax, at.i("keepdims", 1) != 0), im.value(n, 0), Map.of());
            }
            case "Gemm" -> gemm(im, n, at);
            case "MatMul" -> {
                at.allow();
                im.add(n, "", new MatMul(), List.of(im.value(n, 0), im.value(n, 1)), n.getOutput(0), Map.of());
            }
            case "Flatten" -> {
                at.allow("axis");
                Shape s = im.shape(n, 0);
                int axis = (int) at.i("axis", 1);
                axis = axis < 0 ? axis + s.rank() : axis;
                if (axis < 0 || axis > s.rank()) throw at.error("axis " + at.i("axis", 1) + " out of range for " + s);
                if (axis == 1) {
                    im.add(n, new Flatten(), im.value(n, 0), Map.of());
                } else {
                    long outer = s.size() / Math.max(1, s.sizeFrom(axis));
                    reshape(im, n, new int[] {(int) outer, (int) s.sizeFrom(axis)});
                }
            }
            case "Reshape" -> reshape(im, n, Importer.reshapeDims(at, im.shape(n, 0).dims(),
                    im.constant(n, 1, "shape").asLongs()));
            case "Squeeze", "Unsqueeze" -> {
                List<ConstTensor> ins = new ArrayList<>(List.of(ConstTensor.vector()));
                if (n.getInputCount() > 1) ins.add(im.optionalConstant(n, 1, "axes"));
                reshape(im, n, Importer.squeezeDims(n, at, im.shape(n, 0).dims(), ins, im.opset));
            }
            case "Transpose" -> {
                at.allow("perm");
                int[] perm = Importer.perm(at, im.shape(n, 0).rank());
                boolean identity = true;
                for (int k = 0; k < perm.length; k++) identity &= perm[k] == k;
                if (identity) im.alias(n, im.value(n, 0), n.getOutput(0));
                else im.add(n, new Transpose(perm), im.value(n, 0), Map.of());
            }
            case "Concat" -> {
                at.allow("axis");
                List<String> ins = new ArrayList<>();
                for (int k = 0; k < n.getInputCount(); k++) ins.add(im.value(n, k));
                im.add(n, "", new Concat((int) at.i("axis", 0)), ins, n.getOutput(0), Map.of());
            }
            case "Split" -> split(im, n, at);
            case "Slice" -> {
                at.allow();
                List<ConstTensor> ins = new ArrayList<>();
                ins.add(null);
                for (int k = 1; k < n.getInputCount(); k++) ins.add(im.optionalConstant(n, k, "slice " + k));
                SliceSpec spec = Importer.sliceSpec(ins, im.shape(n, 0).rank(), at);
                im.add(n, new Slice(spec), im.value(n, 0), Map.of());
            }
            case "Softmax" -> softmax(im, n, at);
            case "Pad" -> {
                at.allow("mode");
                String mode = at.s("mode", "constant");
                if (!mode.equals("constant")) throw at.error("mode '" + mode + "' is not supported (supported: constant)");
                int[] pads = Attrs.toInts(im.constant(n, 1, "pads").asLongs(), "pad");
                ConstTensor v = im.optionalConstant(n, 2, "constant_value");
                if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) throw at.error("the axes input is not supported");
                im.add(n, new Pad(pads, v == null ? 0f : scalar(n, v, "constant_value")), im.value(n, 0), Map.of());
            }
            case "Dropout" -> {
                at.allow("seed", "ratio");
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    throw at.error("the mask output is not supported (inference drops nothing)");
                }
                im.alias(n, im.value(n, 0), n.getOutput(0));
            }
            case "Identity" -> {
                at.allow();
                im.alias(n, im.value(n, 0), n.getOutput(0));
            }
            case "Cast" -> {
                at.allow("to", "saturate");
                if (at.i("to", 0) != 1) throw at.error("only a cast to float32 can run on activations");
                im.alias(n, im.value(n, 0), n.getOutput(0));
            }
            case "Shape", "Gather", "ConstantOfShape", "Constant", "Neg" -> throw at.error(
                    "is only supported on values known at load time (shape computations); its input '" + x
                            + "' is computed at run time");
            default -> throw new OnnxFormatException(Importer.describe(n) + ": operator " + n.getOpType()
                    + " is not supported; supported operators: " + supported());
        }
    }

    private static Act act(Attrs at, Act a) {
        at.allow();
        return a;
    }

    private static float scalar(NodeProto n, ConstTensor c, String what) {
        if (c.size() != 1) throw new OnnxFormatException(Importer.describe(n) + ": " + what + " must be a scalar, got " + c);
        return (float) c.get(0);
    }

    private static void rank(Importer im, NodeProto n, int rank, String layout) {
        Shape s = im.shape(n, 0);
        if (s.rank() != rank) {
            throw new OnnxFormatException(Importer.describe(n) + ": input must be " + rank + "-D " + layout + ", got " + s
                    + (rank == 4 ? " (only 2-D convolution and pooling are supported)" : ""));
        }
    }

    private static void reshape(Importer im, NodeProto n, int[] dims) {
        Shape in = im.shape(n, 0);
        if (Arrays.equals(in.dims(), dims)) im.alias(n, im.value(n, 0), n.getOutput(0));
        else im.add(n, Reshape.to(dims), im.value(n, 0), Map.of());
    }

    private static void conv(Importer im, NodeProto n, Attrs at) {
        at.allow("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        rank(im, n, 4, "[N, C, H, W]");
        Shape in = im.shape(n, 0);
        ConstTensor w = im.constant(n, 1, "weight");
        if (w.rank() != 4) throw at.error("weight must be 4-D [O, C/groups, kH, kW], got " + Arrays.toString(w.dims()));
        int out = w.dims()[0], kh = w.dims()[2], kw = w.dims()[3];
        long[] ks = at.ints("kernel_shape", null);
        if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
            throw at.error("kernel_shape " + Arrays.toString(ks) + " does not match the weight " + Arrays.toString(w.dims()));
        }
        int[] strides = pair(at, "strides"), dil = pair(at, "dilations");
        int[] pads = pads(at, in, new int[] {kh, kw}, strides, dil);
        int groups = Attrs.toInt(at.i("group", 1), "group");
        Conv2dSpec spec;
        Conv2d layer;
        try {
            spec = Conv2dSpec.of(kh, kw).stride(strides[0], strides[1]).padding(pads[0], pads[1], pads[2], pads[3])
                    .dilation(dil[0], dil[1]).groups(groups);
            layer = new Conv2d(in.dim(1), out, spec, n.getInputCount() > 2 && !n.getInput(2).isEmpty());
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
        Map<String, String> vars = new java.util.HashMap<>();
        vars.put("weight", im.weight(n, 1, layer.weightShape(), "weight"));
        if (layer.bias()) vars.put("bias", im.weight(n, 2, Shape.of(out), "bias"));
        im.add(n, layer, im.value(n, 0), vars);
    }

    private static void batchNorm(Importer im, NodeProto n, Attrs at) {
        at.allow("epsilon", "momentum", "training_mode", "spatial");
        if (at.i("training_mode", 0) != 0) throw at.error("training_mode = 1 is not supported (inference only)");
        if (at.i("spatial", 1) != 1) throw at.error("spatial = 0 is not supported");
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (!n.getOutput(k).isEmpty()) throw at.error("the running-statistics outputs are not supported (inference only)");
        }
        int c = im.shape(n, 0).dim(1);
        // ONNX momentum weighs the old running value; PyTorch's (ours) weighs the new batch value.
        float momentum = Math.clamp(1f - at.f("momentum", 0.9f), 0f, 1f);
        BatchNorm bn;
        try {
            bn = new BatchNorm(c, at.f("epsilon", 1e-5f), momentum);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
        Shape cs = Shape.of(c);
        im.add(n, bn, im.value(n, 0), Map.of("weight", im.weight(n, 1, cs, "scale"), "bias", im.weight(n, 2, cs, "B"),
                "running_mean", im.weight(n, 3, cs, "mean"), "running_var", im.weight(n, 4, cs, "var")));
    }

    private static void pool(Importer im, NodeProto n, Attrs at) {
        boolean max = n.getOpType().equals("MaxPool");
        if (max) at.allow("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        else at.allow("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides");
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) throw at.error("the Indices output is not supported");
        rank(im, n, 4, "[N, C, H, W]");
        long[] ks = at.ints("kernel_shape", null);
        if (ks == null || ks.length != 2) throw at.error("needs a 2-D kernel_shape, got " + Arrays.toString(ks));
        int[] k = Attrs.toInts(ks, "kernel size"), strides = pair(at, "strides"), dil = pair(at, "dilations");
        if (dil[0] != 1 || dil[1] != 1) throw at.error("dilated pooling is not supported");
        if (at.i("storage_order", 0) != 0) throw at.error("storage_order = 1 is not supported");
        int[] pads = pads(at, im.shape(n, 0), k, strides, dil);
        Pool2dSpec spec;
        try {
            spec = new Pool2dSpec(k[0], k[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                    at.i("ceil_mode", 0) != 0, max || at.i("count_include_pad", 0) != 0);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
        im.add(n, new Pool2d(max, spec), im.value(n, 0), Map.of());
    }

    /** A 2-element attribute (strides, dilations), 1s by default. */
    private static int[] pair(Attrs at, String name) {
        long[] v = at.ints(name, new long[] {1, 1});
        if (v.length != 2) throw at.error(name + " must have 2 entries, got " + Arrays.toString(v));
        int[] r = Attrs.toInts(v, name);
        if (r[0] < 1 || r[1] < 1) throw at.error(name + " must be >= 1, got " + Arrays.toString(v));
        return r;
    }

    /** Top, left, bottom, right padding from pads or auto_pad (SAME_UPPER puts the odd pixel at the end). */
    private static int[] pads(Attrs at, Shape in, int[] k, int[] s, int[] d) {
        String auto = at.s("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                long[] p = at.ints("pads", new long[4]);
                if (p.length != 4) throw at.error("pads must have 4 entries for 2-D, got " + Arrays.toString(p));
                int[] r = Attrs.toInts(p, "pad");
                for (int v : r) if (v < 0) throw at.error("negative pads " + Arrays.toString(p) + " are not supported");
                return new int[] {r[0], r[1], r[2], r[3]};
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] r = new int[4];
                for (int a = 0; a < 2; a++) {
                    int size = in.dim(2 + a), out = (size + s[a] - 1) / s[a];
                    int total = Math.max(0, (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - size);
                    int small = total / 2, big = total - small;
                    r[a] = auto.equals("SAME_UPPER") ? small : big;
                    r[a + 2] = auto.equals("SAME_UPPER") ? big : small;
                }
                return r;
            }
            default -> throw at.error("auto_pad '" + auto + "' is not supported (supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER)");
        }
    }

    private static void gemm(Importer im, NodeProto n, Attrs at) {
        at.allow("alpha", "beta", "transA", "transB");
        if (at.f("alpha", 1f) != 1f || at.f("beta", 1f) != 1f || at.i("transA", 0) != 0) {
            throw at.error("only alpha = 1, beta = 1, transA = 0 are supported (got alpha " + at.f("alpha", 1f)
                    + ", beta " + at.f("beta", 1f) + ", transA " + at.i("transA", 0) + ")");
        }
        Shape a = im.shape(n, 0);
        if (a.rank() != 2) throw at.error("input A must be 2-D, got " + a);
        boolean transB = at.i("transB", 0) != 0;
        ConstTensor c = im.optionalConstant(n, 2, "C");
        if (transB && im.isConst(n.getInput(1)) && im.shape(n, 1).rank() == 2) {
            Shape b = im.shape(n, 1);
            int out = b.dim(0), in = b.dim(1);
            boolean vectorBias = c != null && c.rank() == 1 && c.dims()[0] == out;
            Linear layer = new Linear(in, out, vectorBias);
            Map<String, String> vars = new java.util.HashMap<>();
            vars.put("weight", im.weight(n, 1, Shape.of(out, in), "B"));
            if (vectorBias) vars.put("bias", im.weight(n, 2, Shape.of(out), "C"));
            String y = n.getOutput(0);
            if (c == null || vectorBias) {
                im.add(n, layer, im.value(n, 0), vars);
            } else { // a broadcast C of another shape: an add after the product
                im.add(n, "#product", dev.panamacnn.core.layers.GraphOp.of(layer), List.of(im.value(n, 0)), y + "#product", vars);
                im.add(n, "", Binary.add(), List.of(y + "#product", im.value(n, 2)), y, Map.of());
            }
            return;
        }
        if (transB) throw at.error("transB = 1 needs a constant 2-D B");
        String y = n.getOutput(0);
        String product = c == null ? y : y + "#product";
        im.add(n, c == null ? "" : "#product", new MatMul(), List.of(im.value(n, 0), im.value(n, 1)), product, Map.of());
        if (c != null) im.add(n, "", Binary.add(), List.of(product, im.value(n, 2)), y, Map.of());
    }

    private static void split(Importer im, NodeProto n, Attrs at) {
        at.allow(im.opset < 13 ? new String[] {"axis", "split"} : new String[] {"axis"});
        Shape s = im.shape(n, 0);
        int axis = (int) at.i("axis", 0);
        int a = axis < 0 ? axis + s.rank() : axis;
        if (a < 0 || a >= s.rank()) throw at.error("axis " + axis + " out of range for " + s);
        long[] sizes = im.opset < 13 ? at.ints("split", null) : null;
        ConstTensor sc = im.opset >= 13 ? im.optionalConstant(n, 1, "split") : null;
        if (sc != null) sizes = sc.asLongs();
        int parts = n.getOutputCount();
        if (sizes == null) {
            if (s.dim(a) % parts != 0) throw at.error("cannot split " + s.dim(a) + " evenly into " + parts + " parts");
            sizes = new long[parts];
            Arrays.fill(sizes, s.dim(a) / parts);
        }
        if (sizes.length != parts || Arrays.stream(sizes).sum() != s.dim(a)) {
            throw at.error("split sizes " + Arrays.toString(sizes) + " do not cover axis " + a + " of " + s + " in " + parts + " parts");
        }
        String x = im.value(n, 0);
        long start = 0;
        for (int k = 0; k < parts; k++) {
            SliceSpec spec = new SliceSpec(new int[] {a}, new long[] {start}, new long[] {start + sizes[k]}, new long[] {1});
            start += sizes[k];
            if (n.getOutput(k).isEmpty()) continue;
            im.add(n, "#" + k, dev.panamacnn.core.layers.GraphOp.of(new Slice(spec)), List.of(x), n.getOutput(k), Map.of());
        }
    }

    /** From opset 13 softmax runs along one axis; before, over all axes from {@code axis} on (flattened). */
    private static void softmax(Importer im, NodeProto n, Attrs at) {
        at.allow("axis");
        Shape s = im.shape(n, 0);
        int axis = (int) at.i("axis", im.opset >= 13 ? -1 : 1);
        int a = axis < 0 ? axis + s.rank() : axis;
        if (a < 0 || a >= s.rank()) throw at.error("axis " + axis + " out of range for " + s);
        if (im.opset >= 13 || a == s.rank() - 1) {
            im.add(n, new Softmax(a), im.value(n, 0), Map.of());
            return;
        }
        int outer = (int) (s.size() / s.sizeFrom(a)), inner = (int) s.sizeFrom(a);
        String y = n.getOutput(0);
        im.add(n, "#2d", dev.panamacnn.core.layers.GraphOp.of(Reshape.to(outer, inner)), List.of(im.value(n, 0)), y + "#2d", Map.of());
        im.add(n, "#softmax", dev.panamacnn.core.layers.GraphOp.of(new Softmax(1)), List.of(y + "#2d"), y + "#softmax", Map.of());
        im.add(n, "", dev.panamacnn.core.layers.GraphOp.of(Reshape.to(s.dims())), List.of(y + "#softmax"), y, Map.of());
    }
}
