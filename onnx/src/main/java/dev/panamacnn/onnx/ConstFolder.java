package dev.panamacnn.onnx;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.ops.Broadcast;
import dev.panamacnn.core.ops.SliceSpec;
import dev.panamacnn.onnx.proto.OnnxProto.AttributeProto;
import dev.panamacnn.onnx.proto.OnnxProto.NodeProto;
import dev.panamacnn.onnx.proto.OnnxProto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Evaluates at load time the nodes whose inputs are all known: the shape arithmetic PyTorch
 * exports around {@code Reshape} ({@code Shape → Gather → Unsqueeze → Concat}), constant
 * paddings ({@code ConstantOfShape → Concat → Slice → Transpose → Cast}) and constants.
 */
final class ConstFolder {
    /** The operators this class can evaluate. */
    static final Set<String> FOLDABLE = Set.of("Constant", "Identity", "Gather", "Slice", "Unsqueeze", "Squeeze",
            "Concat", "Add", "Sub", "Mul", "Div", "Cast", "ConstantOfShape", "Reshape", "Transpose", "Flatten",
            "Shape", "Neg", "Dropout");

    private ConstFolder() {}

    /** The node's outputs; {@code in} holds its inputs (null for an omitted optional input). */
    static List<ConstTensor> fold(NodeProto node, List<ConstTensor> in, int opset, Path dir) {
        Attrs at = new Attrs(node);
        ConstTensor x = in.isEmpty() ? null : in.getFirst();
        ConstTensor y = switch (node.getOpType()) {
            case "Constant" -> constant(at, dir);
            case "Identity", "Dropout" -> x;
            case "Shape" -> shapeOf(x.dims(), at);
            case "Gather" -> gather(x, in.get(1), (int) at.allow("axis").i("axis", 0), at);
            case "Slice" -> slice(x, in, at);
            case "Unsqueeze", "Squeeze" -> x.reshape(Importer.squeezeDims(node, at, x.dims(), in, opset));
            case "Reshape" -> x.reshape(Importer.reshapeDims(at, x.dims(), in.get(1).asLongs()));
            case "Flatten" -> {
                int axis = (int) at.allow("axis").i("axis", 1);
                axis = axis < 0 ? axis + x.rank() : axis;
                long outer = 1;
                for (int k = 0; k < axis; k++) outer *= x.dims()[k];
                yield x.reshape(new int[] {(int) outer, (int) (x.size() / Math.max(1, outer))});
            }
            case "Concat" -> concat(in, (int) at.allow("axis").i("axis", 0), at);
            case "Transpose" -> transpose(x, at);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(node.getOpType(), x, in.get(1), at.allow());
            case "Neg" -> arithmetic("Sub", ConstTensor.ofLongs(new int[0], new long[] {0}), x, at.allow());
            case "Cast" -> cast(x, (int) at.allow("to", "saturate").i("to", 0), at);
            case "ConstantOfShape" -> constantOfShape(x, at, dir);
            default -> throw at.error("cannot be evaluated at load time");
        };
        return List.of(y);
    }

    /** Shape's output: the dims (from start to end, opset 15) as an int64 vector. */
    static ConstTensor shapeOf(int[] dims, Attrs at) {
        at.allow("start", "end");
        int r = dims.length;
        int s = clampAxis((int) at.i("start", 0), r), e = clampAxis((int) at.i("end", r), r);
        long[] v = new long[Math.max(0, e - s)];
        for (int k = 0; k < v.length; k++) v[k] = dims[s + k];
        return ConstTensor.vector(v);
    }

    private static int clampAxis(int a, int rank) {
        return Math.clamp(a < 0 ? a + rank : a, 0, rank);
    }

    private static ConstTensor constant(Attrs at, Path dir) {
        at.allow("value", "value_float", "value_floats", "value_int", "value_ints");
        if (at.has("value")) return TensorDecoder.decode(at.get("value").getT(), dir);
        if (at.has("value_float")) return ConstTensor.ofFloats(new int[0], new float[] {at.f("value_float", 0)});
        if (at.has("value_floats")) {
            float[] v = at.floats("value_floats");
            return ConstTensor.ofFloats(new int[] {v.length}, v);
        }
        if (at.has("value_int")) return ConstTensor.ofLongs(new int[0], new long[] {at.i("value_int", 0)});
        if (at.has("value_ints")) return ConstTensor.vector(at.ints("value_ints", new long[0]));
        throw at.error("has no value (supported: value, value_float(s), value_int(s))");
    }

    private static ConstTensor gather(ConstTensor x, ConstTensor indices, int axis, Attrs at) {
        int r = x.rank();
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw at.error("axis " + axis + " out of range for rank " + r);
        int d = x.dims()[a];
        long outer = 1, inner = 1;
        for (int k = 0; k < a; k++) outer *= x.dims()[k];
        for (int k = a + 1; k < r; k++) inner *= x.dims()[k];
        long[] idx = indices.asLongs();
        int[] outDims = new int[r - 1 + indices.rank()];
        int p = 0;
        for (int k = 0; k < a; k++) outDims[p++] = x.dims()[k];
        for (int k : indices.dims()) outDims[p++] = k;
        for (int k = a + 1; k < r; k++) outDims[p++] = x.dims()[k];
        int[] map = new int[checkedSize(outDims, at)];
        int m = 0;
        for (long o = 0; o < outer; o++) {
            for (long i : idx) {
                long j = i < 0 ? i + d : i;
                if (j < 0 || j >= d) throw at.error("index " + i + " out of range for axis of size " + d);
                for (long q = 0; q < inner; q++) map[m++] = (int) ((o * d + j) * inner + q);
            }
        }
        return x.select(map, outDims);
    }

    private static ConstTensor slice(ConstTensor x, List<ConstTensor> in, Attrs at) {
        at.allow();
        SliceSpec spec = Importer.sliceSpec(in, x.rank(), at);
        SliceSpec.Resolved r = spec.resolve(Shape.of(x.dims()));
        int[] out = r.output().dims();
        int[] map = new int[checkedSize(out, at)];
        long[] strides = Shape.of(x.dims()).strides();
        int[] idx = new int[out.length];
        for (int i = 0; i < map.length; i++) {
            long src = 0;
            for (int k = 0; k < out.length; k++) src += (r.start()[k] + (long) idx[k] * r.step()[k]) * strides[k];
            map[i] = (int) src;
            for (int k = out.length - 1; k >= 0 && ++idx[k] == out[k]; k--) idx[k] = 0;
        }
        return x.select(map, out);
    }

    private static ConstTensor concat(List<ConstTensor> in, int axis, Attrs at) {
        List<Shape> shapes = new ArrayList<>();
        for (ConstTensor t : in) shapes.add(Shape.of(t.dims()));
        Shape out = dev.panamacnn.core.reference.LayoutRef.concatShape(shapes, axis);
        int a = axis < 0 ? axis + out.rank() : axis;
        boolean floats = in.stream().anyMatch(ConstTensor::isFloat);
        long outer = 1;
        for (int k = 0; k < a; k++) outer *= out.dim(k);
        int n = checkedSize(out.dims(), at);
        float[] f = floats ? new float[n] : null;
        long[] l = floats ? null : new long[n];
        int p = 0;
        for (long o = 0; o < outer; o++) {
            for (ConstTensor t : in) {
                int row = (int) (t.size() / Math.max(1, outer));
                for (int q = 0; q < row; q++) {
                    int src = (int) (o * row + q);
                    if (floats) f[p++] = t.isFloat() ? t.floats()[src] : t.longs()[src];
                    else l[p++] = t.longs()[src];
                }
            }
        }
        return floats ? ConstTensor.ofFloats(out.dims(), f) : ConstTensor.ofLongs(out.dims(), l);
    }

    private static ConstTensor transpose(ConstTensor x, Attrs at) {
        at.allow("perm");
        int r = x.rank();
        int[] perm = Importer.perm(at, r);
        Shape out = dev.panamacnn.core.reference.LayoutRef.transposeShape(Shape.of(x.dims()), perm);
        long[] strides = Shape.of(x.dims()).strides();
        int[] od = out.dims(), idx = new int[r], map = new int[checkedSize(od, at)];
        for (int i = 0; i < map.length; i++) {
            long src = 0;
            for (int k = 0; k < r; k++) src += idx[k] * strides[perm[k]];
            map[i] = (int) src;
            for (int k = r - 1; k >= 0 && ++idx[k] == od[k]; k--) idx[k] = 0;
        }
        return x.select(map, od);
    }

    private static ConstTensor arithmetic(String op, ConstTensor a, ConstTensor b, Attrs at) {
        Shape sa = Shape.of(a.dims()), sb = Shape.of(b.dims()), out;
        try {
            out = Broadcast.shape(sa, sb);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
        long[] ta = Broadcast.strides(sa, out), tb = Broadcast.strides(sb, out);
        int n = checkedSize(out.dims(), at), r = out.rank();
        int[] idx = new int[r];
        boolean floats = a.isFloat() || b.isFloat();
        float[] fa = floats ? a.asFloats() : null, fb = floats ? b.asFloats() : null, f = floats ? new float[n] : null;
        long[] la = floats ? null : a.longs(), lb = floats ? null : b.longs(), l = floats ? null : new long[n];
        for (int i = 0; i < n; i++) {
            int ia = 0, ib = 0;
            for (int k = 0; k < r; k++) {
                ia += (int) (idx[k] * ta[k]);
                ib += (int) (idx[k] * tb[k]);
            }
            if (floats) {
                f[i] = switch (op) {
                    case "Add" -> fa[ia] + fb[ib];
                    case "Sub" -> fa[ia] - fb[ib];
                    case "Mul" -> fa[ia] * fb[ib];
                    default -> fa[ia] / fb[ib];
                };
            } else {
                if (op.equals("Div") && lb[ib] == 0) throw at.error("integer division by zero");
                l[i] = switch (op) {
                    case "Add" -> la[ia] + lb[ib];
                    case "Sub" -> la[ia] - lb[ib];
                    case "Mul" -> la[ia] * lb[ib];
                    default -> la[ia] / lb[ib]; // truncation toward zero, as ONNX integer Div
                };
            }
            for (int k = r - 1; k >= 0 && ++idx[k] == out.dim(k); k--) idx[k] = 0;
        }
        return floats ? ConstTensor.ofFloats(out.dims(), f) : ConstTensor.ofLongs(out.dims(), l);
    }

    private static ConstTensor cast(ConstTensor x, int to, Attrs at) {
        DataType t = DataType.forNumber(to);
        if (t == null) throw at.error("cast to unknown type " + to);
        return switch (t) {
            case FLOAT, DOUBLE, FLOAT16 -> ConstTensor.ofFloats(x.dims(), x.asFloats());
            case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64 -> ConstTensor.ofLongs(x.dims(), x.asLongs());
            case BOOL -> {
                long[] v = new long[x.size()];
                for (int i = 0; i < v.length; i++) v[i] = x.get(i) != 0 ? 1 : 0;
                yield ConstTensor.ofLongs(x.dims(), v);
            }
            default -> throw at.error("cast to " + t + " is not supported");
        };
    }

    private static ConstTensor constantOfShape(ConstTensor shape, Attrs at, Path dir) {
        at.allow("value");
        int[] dims = Attrs.toInts(shape.asLongs(), "ConstantOfShape dimension");
        int n = checkedSize(dims, at);
        if (!at.has("value")) return ConstTensor.ofFloats(dims, new float[n]);
        AttributeProto v = at.get("value");
        ConstTensor value = TensorDecoder.decode(v.getT(), dir);
        if (value.size() != 1) throw at.error("value must hold one element, got " + value);
        if (value.isFloat()) {
            float[] f = new float[n];
            Arrays.fill(f, value.floats()[0]);
            return ConstTensor.ofFloats(dims, f);
        }
        long[] l = new long[n];
        Arrays.fill(l, value.longs()[0]);
        return ConstTensor.ofLongs(dims, l);
    }

    /** The element count of dims, refusing absurd ones before anything is allocated. */
    static int checkedSize(int[] dims, Attrs at) {
        long n;
        try {
            n = ConstTensor.size(dims);
        } catch (ArithmeticException e) {
            throw at.error("shape " + Arrays.toString(dims) + " overflows");
        }
        if (n > ConstTensor.MAX_ELEMENTS) {
            throw at.error("would create a constant of " + n + " elements (shape " + Arrays.toString(dims) + ")");
        }
        return (int) n;
    }
}
