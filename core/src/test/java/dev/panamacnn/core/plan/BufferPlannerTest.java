package dev.panamacnn.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the planner puts values with several threads: memory is shared only between values of
 * one plane size, a whole number of planes apart (whether values alive together overlap is
 * checked end to end by every compiled-model test, whose results would be wrong).
 */
class BufferPlannerTest {

    private static Graph lowered(Layer net, Shape in) {
        try (Model m = Model.init(net, in, 1)) {
            Graph g = Lowering.lower(m.layer(), in, m.params(), m.state());
            Fusion.run(g);
            g.removeDeadNodes();
            ChannelBlocking.run(g, new ChannelBlockingTest.BlockingBackend());
            return g;
        }
    }

    /** Stride-2 stages, an expansion, a depthwise convolution and a residual: four plane sizes. */
    private static Layer net() {
        Layer block = Sequential.builder()
                .add("expand", new Conv2d(24, 96, Conv2dSpec.of(1), true)).add("r1", Act.relu6())
                .add("dw", new Conv2d(96, 96, Conv2dSpec.of(3).padding(1).groups(96), true)).add("r2", Act.relu6())
                .add("project", new Conv2d(96, 24, Conv2dSpec.of(1), true)).build();
        return Sequential.builder()
                .add("stem", new Conv2d(3, 32, Conv2dSpec.of(3).stride(2).padding(1), true)).add("r0", Act.relu())
                .add("pool", Pool2d.max(3, 2, 1))
                .add("down", new Conv2d(32, 24, Conv2dSpec.of(3).stride(2).padding(1), true)).add("r3", Act.relu())
                .add("block", Residual.identity(block, Activation.IDENTITY))
                .add("wide", new Conv2d(24, 160, Conv2dSpec.of(3).stride(2).padding(1), true))
                .add("gap", GlobalPool.avg()).build();
    }

    /**
     * Pairs of distinct values that share memory: [across plane sizes, within one plane size,
     * within one and not a whole number of planes apart].
     */
    private static int[] sharing(Graph g, BufferPlanner.Layout layout) {
        List<Integer> values = new ArrayList<>();
        for (int v = 0; v < g.shapes.size(); v++) if (layout.refs()[v] != null) values.add(v);
        int[] pairs = new int[3];
        for (int a : values) {
            for (int b : values) {
                if (a >= b) continue;
                long oa = layout.refs()[a].byteOffset(), ob = layout.refs()[b].byteOffset();
                long ea = oa + g.storageShape(a).size() * Float.BYTES, eb = ob + g.storageShape(b).size() * Float.BYTES;
                if (!(oa < eb && ob < ea) || oa == ob && g.storageShape(a).equals(g.storageShape(b))) continue; // aliases
                long pa = BufferPlanner.period(g, a), pb = BufferPlanner.period(g, b);
                if (pa != pb) {
                    pairs[0]++;
                } else {
                    pairs[1]++;
                    if ((oa - ob) % pa != 0) pairs[2]++;
                }
            }
        }
        return pairs;
    }

    @Test
    void withSeveralThreadsMemoryIsSharedOnlyWithinOnePlaneSizeAndWholePlanesApart() {
        Graph g = lowered(net(), Shape.of(2, 3, 40, 40));
        int[] pairs = sharing(g, BufferPlanner.plan(g, 2));
        assertEquals(0, pairs[0], "pairs of values of different plane sizes sharing memory");
        assertTrue(pairs[1] > 0, "memory is reused within a plane size");
        assertEquals(0, pairs[2], "pairs of values of one plane size sharing memory, not whole planes apart");
    }

    @Test
    void oneThreadReusesMemoryAcrossPlaneSizesInASmallerWorkspace() {
        Graph g = lowered(net(), Shape.of(1, 3, 40, 40));
        BufferPlanner.Layout one = BufferPlanner.plan(g, 1), two = BufferPlanner.plan(g, 2);
        assertTrue(sharing(g, one)[0] > 0, "one thread reuses memory between plane sizes");
        assertTrue(one.workspaceBytes() < two.workspaceBytes(),
                "workspace " + one.workspaceBytes() + " B at one thread, " + two.workspaceBytes() + " B at two");
    }
}
