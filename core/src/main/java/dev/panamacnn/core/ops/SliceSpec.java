package dev.panamacnn.core.ops;

import dev.panamacnn.core.Shape;
import java.util.Arrays;

/**
 * ONNX {@code Slice}: along each listed axis take {@code start, start + step, …} up to but
 * excluding {@code end}. Negative starts and ends count from the end of the axis; both are then
 * clamped to the axis ({@code [0, d]} for a positive step, {@code [-1, d-1]} for a negative one),
 * so huge values such as INT64_MAX mean "to the end". Axes not listed are kept whole.
 */
public record SliceSpec(int[] axes, long[] starts, long[] ends, long[] steps) {

    public SliceSpec {
        if (axes.length != starts.length || axes.length != ends.length || axes.length != steps.length) {
            throw new IllegalArgumentException("slice axes, starts, ends and steps must have equal lengths, got "
                    + axes.length + ", " + starts.length + ", " + ends.length + ", " + steps.length);
        }
        for (long s : steps) if (s == 0) throw new IllegalArgumentException("slice step must not be 0");
        axes = axes.clone();
        starts = starts.clone();
        ends = ends.clone();
        steps = steps.clone();
    }

    /** The slice on a concrete input: first index and step per axis (all axes) and the output shape. */
    public record Resolved(int[] start, int[] step, Shape output) {}

    public Resolved resolve(Shape in) {
        int rank = in.rank();
        int[] start = new int[rank], step = new int[rank], out = in.dims();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (a < 0 || a >= rank || seen[a]) {
                throw new IllegalArgumentException("slice axis " + axes[i] + " is out of range or repeated for " + in);
            }
            seen[a] = true;
            long d = in.dim(a), s = starts[i], e = ends[i], st = steps[i];
            if (s < 0) s += d;
            if (e < 0) e += d;
            if (st > 0) {
                s = Math.clamp(s, 0, d);
                e = Math.clamp(e, 0, d);
            } else {
                s = Math.clamp(s, -1, d - 1);
                e = Math.clamp(e, -1, d - 1);
            }
            long n = st > 0 ? Math.max(0, (e - s + st - 1) / st) : Math.max(0, (s - e + (-st) - 1) / (-st));
            if (Math.abs(st) > Integer.MAX_VALUE) st = st > 0 ? Integer.MAX_VALUE : -Integer.MAX_VALUE;
            start[a] = (int) Math.max(s, 0);
            step[a] = (int) st;
            out[a] = (int) n;
        }
        return new Resolved(start, step, Shape.of(out));
    }

    @Override
    public String toString() {
        return "axes " + Arrays.toString(axes) + ", starts " + Arrays.toString(starts) + ", ends "
                + Arrays.toString(ends) + ", steps " + Arrays.toString(steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceSpec s && Arrays.equals(axes, s.axes) && Arrays.equals(starts, s.starts)
                && Arrays.equals(ends, s.ends) && Arrays.equals(steps, s.steps);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(axes) * 31 + Arrays.hashCode(starts) * 17 + Arrays.hashCode(ends) * 7 + Arrays.hashCode(steps);
    }
}
