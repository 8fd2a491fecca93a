package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Binary;
import dev.panamacnn.core.layers.Concat;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dag;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.GraphOp;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Halos ({@code core.plan.Halos}) over random graphs: convolutions with padding 0–3 (also wider
 * than the kernel), any kernel up to 5×5, strides, dilations and depthwise ones, pooling,
 * activations, dropout (an alias), additions (fused into residuals or not) and concatenations
 * of same-shaped tensors, and a global average at the end or not. Each plan runs twice with
 * different inputs, so a border left dirty by a tensor that shares its memory shows, and equals
 * the reference at 1–3 threads.
 */
class HaloPlanningTest {
    record Net(Shape input, Dag dag, long macs, long seed) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("input " + input + "\n");
            for (Dag.Node n : dag.nodes()) b.append(n.name()).append(": ").append(n.op().describe()).append(' ')
                    .append(n.inputs()).append(" -> ").append(n.output()).append('\n');
            return b.append("output ").append(dag.output()).toString();
        }
    }

    static int between(RandomnessSource in, int lo, int hi) {
        return integers().between(lo, hi).generate(in);
    }

    static Gen<Net> nets() { return nets(13, 40); }

    static Gen<Net> nets(int maxHw, int maxCh) {
        return in -> {
            int n = between(in, 1, 2), c = between(in, 1, 4), h = between(in, 3, maxHw), w = between(in, 3, maxHw);
            Shape input = Shape.of(n, c, h, w);
            List<String> names = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            List<Dag.Node> nodes = new ArrayList<>();
            long macs = 0;
            names.add("x");
            shapes.add(input);
            int steps = between(in, 2, 8);
            for (int i = 0; i < steps; i++) {
                int kind = i == 0 ? 0 : between(in, 0, 9);
                int src = i == 0 ? 0 : between(in, 1, names.size() - 1);
                Shape s = shapes.get(src);
                String out = "v" + i, name = "n" + i;
                if (kind <= 4) { // conv
                    int ch = s.dim(1);
                    boolean dw = i > 0 && kind == 4;
                    int kh = between(in, 1, 5), kw = between(in, 1, 5), dh = between(in, 1, 2), dw2 = between(in, 1, 2);
                    int effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw2 + 1;
                    int pad = between(in, 0, 3);
                    if (s.dim(2) + 2 * pad < effH || s.dim(3) + 2 * pad < effW) { kh = 1; kw = 1; dh = 1; dw2 = 1; }
                    Conv2dSpec base = Conv2dSpec.of(kh, kw).padding(pad).dilation(dh, dw2)
                            .stride(between(in, 1, 3) == 3 ? 2 : 1, between(in, 1, 3) == 3 ? 2 : 1);
                    int o = dw ? ch : between(in, 1, maxCh);
                    Conv2dSpec spec = base.groups(dw ? ch : 1);
                    Conv2d conv = new Conv2d(ch, o, spec, true);
                    nodes.add(new Dag.Node(name, GraphOp.of(conv), List.of(names.get(src)), out,
                            Map.of("weight", name + ".weight", "bias", name + ".bias")));
                    shapes.add(conv.outputShape(s));
                    macs += spec.macsPerOutput(ch);
                } else if (kind == 5) { // act
                    Layer a = booleans().all().generate(in) ? Act.relu() : Act.relu6();
                    nodes.add(new Dag.Node(name, GraphOp.of(a), List.of(names.get(src)), out, Map.of()));
                    shapes.add(s);
                } else if (kind == 6) { // pool
                    int k = between(in, 1, Math.min(3, Math.min(s.dim(2), s.dim(3))));
                    Pool2dSpec p = Pool2dSpec.of(k, k).stride(between(in, 1, 2), between(in, 1, 2)).padding(k / 2, k / 2, k / 2, k / 2);
                    Layer pool = booleans().all().generate(in) ? Pool2d.max(p) : Pool2d.avg(p);
                    nodes.add(new Dag.Node(name, GraphOp.of(pool), List.of(names.get(src)), out, Map.of()));
                    shapes.add(pool.outputShape(s));
                    macs += 9;
                } else if (kind == 7) { // dropout (an alias)
                    nodes.add(new Dag.Node(name, GraphOp.of(new Dropout(0.5f)), List.of(names.get(src)), out, Map.of()));
                    shapes.add(s);
                } else { // add or concat of two same-shaped values
                    List<Integer> same = new ArrayList<>();
                    for (int v = 1; v < names.size(); v++) if (v != src && shapes.get(v).equals(s)) same.add(v);
                    if (same.isEmpty()) { i--; steps--; continue; }
                    int other = same.get(between(in, 0, same.size() - 1));
                    boolean add = kind == 8 || booleans().all().generate(in);
                    List<String> ins = booleans().all().generate(in) ? List.of(names.get(src), names.get(other))
                            : List.of(names.get(other), names.get(src));
                    GraphOp op = add ? Binary.add() : new Concat(1);
                    nodes.add(new Dag.Node(name, op, ins, out, Map.of()));
                    shapes.add(op.outputShape(List.of(s, s)));
                }
                names.add(out);
            }
            String output = names.getLast();
            if (booleans().all().generate(in)) {
                nodes.add(new Dag.Node("gap", GraphOp.of(GlobalPool.avg()), List.of(output), "y", Map.of()));
                output = "y";
            }
            return new Net(input, new Dag("x", output, nodes), macs + 1, integers().all().generate(in));
        };
    }

    static void check(Net net, int threads) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net.dag(), net.input(), net.seed());
             CompiledModel plan = Compiler.compile(m, net.input(), CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
            for (int run = 0; run < 2; run++) {
                Tensor x = Tensor.randomNormal(arena, net.seed() + run, 0f, 1f, net.input().dims());
                Tolerance.forReduction(net.macs(), 1.0).assertClose(net + "\nrun " + run + " threads " + threads + "\n"
                        + String.join("\n", plan.steps()), m.forward(x, Mode.INFERENCE, arena), plan.run(x, arena));
            }
        }
    }

    static Dag.Node conv(String name, int c, int o, Conv2dSpec spec, String in, String out) {
        return new Dag.Node(name, GraphOp.of(new Conv2d(c, o, spec, true)), List.of(in), out,
                Map.of("weight", name + ".weight", "bias", name + ".bias"));
    }

    /** The halo of each step's output in {@link #everyTaskPathWritesAndReadsHalos}'s plan. */
    private static final List<String> HALOS = List.of("-", "-", "1", "1", "2", "1", "1", "-", "-", "-", "-");

    @Test
    void everyTaskPathWritesAndReadsHalos() {
        // A copied input with an output halo, banded and with private planes (weights over
        // 512 KB); an input halo with panels outer; a halo of 2 read by a 5×5 convolution padded
        // by 2 and, from inside the border, by a 1×1; a residual group with a halo; a 16-wide
        // last panel; pooling reading a tensor nobody else reads.
        List<Dag.Node> nodes = List.of(
                conv("stem", 3, 64, Conv2dSpec.of(3).padding(1), "x", "a"),
                new Dag.Node("pool", GraphOp.of(Pool2d.max(3, 1, 1)), List.of("a"), "ap", Map.of()),
                conv("wide", 64, 240, Conv2dSpec.of(3).padding(1), "a", "b"),             // copies input, outHalo
                conv("big", 240, 160, Conv2dSpec.of(3).padding(1), "b", "c"),             // reads halo, big weights
                conv("down", 160, 144, Conv2dSpec.of(3).stride(2).padding(1), "c", "d"),  // outHalo 2
                conv("five", 144, 48, Conv2dSpec.of(5).padding(2), "d", "e"),
                conv("one", 144, 48, Conv2dSpec.of(1), "d", "e2"),
                new Dag.Node("add", Binary.add(), List.of("e", "e2"), "f", Map.of()),
                conv("last", 48, 40, Conv2dSpec.of(3).padding(1), "f", "g"),
                new Dag.Node("gp", GraphOp.of(GlobalPool.avg()), List.of("g"), "y1", Map.of()),
                new Dag.Node("gp2", GraphOp.of(GlobalPool.max()), List.of("ap"), "y2", Map.of()),
                new Dag.Node("cat", new Concat(1), List.of("y1", "y2"), "y", Map.of()));
        Net net = new Net(Shape.of(2, 3, 14, 13), new Dag("x", "y", nodes), 3 * 9 + 64 * 9 + 160 * 9 * 2 + 144 * 25 + 48 * 9 + 10, 3);
        for (int threads = 1; threads <= 3; threads++) {
            check(net, threads);
            try (Model m = Model.init(net.dag(), net.input(), net.seed());
                 CompiledModel plan = Compiler.compile(m, net.input(), CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                if (SimdBackends.fastest().channelBlock() > 0) {
                    String steps = String.join("\n", plan.steps());
                    assertEquals(HALOS, plan.steps().stream().map(HaloPlanningTest::halo).toList(), steps);
                }
            }
        }
    }

    /** The halo a plan step's output has ("-" for none). */
    static String halo(String step) {
        int at = step.indexOf("[halo ");
        return at < 0 ? "-" : step.substring(at + 6, step.indexOf(']', at));
    }

    @Test
    void largerRandomDagsWithHalosEqualReference() {
        // Up to 48² images and 200 channels: several tasks per layer, weights past 512 KB.
        Props.qt(10).forAll(nets(48, 200), integers().between(2, 3)).checkAssert(HaloPlanningTest::check);
    }

    @Test
    void randomDagsWithHalosEqualReference() {
        Props.qt(300).forAll(nets(), integers().between(1, 3)).checkAssert(HaloPlanningTest::check);
    }
}
