package dev.panamacnn.opencl;

import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Constant;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.testing.Tolerance;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * Shapes and small graphs for the graph-model operators (the ONNX importer's): a model of one
 * input and some constants feeding the one op under test, so two-operand ops see two planned
 * buffers, and the constant kernel is exercised with them.
 */
final class GraphCases {
    private GraphCases() {}

    /** A shape of rank {@code lo..hi} with sides 1–{@code maxSide} (odd and prime sides included). */
    static Gen<Shape> shapes(int lo, int hi, int maxSide) {
        return in -> {
            int rank = integers().between(lo, hi).generate(in);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) dims[i] = integers().between(1, maxSide).generate(in);
            return Shape.of(dims);
        };
    }

    /**
     * A shape that broadcasts to {@code out}: a suffix of its axes (possibly none), each either
     * kept or 1.
     */
    static Shape broadcastable(Shape out, long seed) {
        java.util.random.RandomGenerator r = Tensor.rng(seed);
        int rank = r.nextInt(out.rank() + 1);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) d[i] = r.nextInt(3) == 0 ? 1 : out.dim(out.rank() - rank + i);
        return Shape.of(d);
    }

    /** A graph: x and the constants named c0, c1, … (of {@code constants}) → op(inputs) → "y". */
    static Dag graph(dev.panamacnn.core.layers.GraphOp op, List<Shape> constants, List<String> inputs) {
        Dag.Builder b = Dag.builder("x");
        for (int i = 0; i < constants.size(); i++) b.add("c" + i, new Constant(constants.get(i)), List.of(), "c" + i);
        return b.add("op", op, inputs, "y").build("y");
    }

    /** Every parameter (the constants) from a normal distribution: distinct values, few zeros. */
    static void normalParams(Model m, long seed) {
        int i = 0;
        for (Tensor t : m.params().asMap().values()) t.fillNormal(seed + ++i, 0f, 2f);
    }

    /** Bit-exact where the device sums in double as the reference does, else a reduction tolerance. */
    static Tolerance exactWithFp64(long terms) {
        return OpenClTests.backend().device().fp64() ? Tolerance.EXACT : Tolerance.forReduction(terms, 4);
    }
}
