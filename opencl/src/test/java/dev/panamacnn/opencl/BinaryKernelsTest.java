package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.ops.BinaryOp;
import dev.panamacnn.core.ops.Broadcast;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Broadcast arithmetic (and the constants feeding it) against the reference. */
class BinaryKernelsTest {

    /**
     * x of a random shape against a constant that broadcasts to it, or the other way round (the
     * constant's shape is drawn from x's, so either side may be the smaller), in either order.
     */
    @Test
    void broadcastArithmeticMatchesReference() {
        Harness.qt(40).forAll(GraphCases.shapes(1, 5, 7), integers().between(0, 3), booleans().all(), longs().all())
                .checkAssert((full, o, swap, seed) -> {
            BinaryOp op = BinaryOp.values()[o];
            Shape other = GraphCases.broadcastable(full, seed);
            boolean xSmall = Math.floorMod(seed, 3L) == 0 && other.rank() > 0;
            Shape x = xSmall ? other : full, c = xSmall ? full : other;
            List<String> ins = swap ? List.of("c0", "x") : List.of("x", "c0");
            Harness.Result r = Harness.run(GraphCases.graph(new Binary(op), List.of(c), ins), x, seed,
                    m -> GraphCases.normalParams(m, seed), t -> t.fillNormal(seed, 0f, 3f));
            Shape out = Broadcast.shape(x, c);
            String what = op + " " + (swap ? c + " with " + x : x + " with " + c) + " -> " + out;
            boolean plainAdd = op == BinaryOp.ADD && x.equals(c);
            assertTrue(r.steps().stream().anyMatch(s -> s.startsWith(plainAdd ? "ADD" : "BINARY")), what + ": " + r.steps());
            // Products, sums and (through double) quotients of floats are correctly rounded: exact.
            GraphCases.exactWithFp64(1).assertClose(what, r.expected(), r.actual());
        });
    }

    @Test
    void scalarOperandsAndSpecialValues() {
        for (BinaryOp op : BinaryOp.values()) {
            Shape x = Shape.of(2, 3, 5);
            Harness.Result r = Harness.run(GraphCases.graph(new Binary(op), List.of(Shape.of()), List.of("x", "c0")), x, 3,
                    m -> GraphCases.normalParams(m, 3), t -> EltwiseKernelsTest.specialValues(t, 3));
            GraphCases.exactWithFp64(1).assertClose(op + " by a scalar", r.expected(), r.actual());
        }
    }
}
