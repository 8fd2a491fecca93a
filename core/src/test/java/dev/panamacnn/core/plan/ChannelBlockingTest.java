package dev.panamacnn.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Sequential;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where the channel-blocking pass keeps tensors blocked and where it inserts reorders, on a
 * backend that only declares a block size (its kernels do nothing; the simd backend's results
 * are checked against the reference in the tests module's {@code BlockedLayoutTest}).
 */
class ChannelBlockingTest {

    /** Blocks of 16; depthwise convolutions need a blocked input, ungrouped ones take either. */
    static final class BlockingBackend implements Backend {
        private static final Kernel NOTHING = ctx -> () -> {};

        @Override public String name() { return "blocking-stub"; }
        @Override public int channelBlock() { return 16; }
        @Override public Set<ChannelLayout> blockedConvInputs(Ops.Conv op) {
            int groups = op.spec().groups();
            if (groups == 1) return EnumSet.allOf(ChannelLayout.class);
            return groups == op.input().dim(1) ? EnumSet.of(ChannelLayout.BLOCKED) : Set.of();
        }
        @Override public Kernel reorder(Ops.Reorder op) { return NOTHING; }
        @Override public Kernel conv(Ops.Conv op) { return NOTHING; }
        @Override public Kernel linear(Ops.Linear op) { return NOTHING; }
        @Override public Kernel pool(Ops.Pool op) { return NOTHING; }
        @Override public Kernel globalPool(Ops.GlobalPool op) { return NOTHING; }
        @Override public Kernel affine(Ops.Affine op) { return NOTHING; }
        @Override public Kernel add(Ops.Add op) { return NOTHING; }
        @Override public Kernel activation(Ops.Act op) { return NOTHING; }
        @Override public Kernel softmax(Ops.Softmax op) { return NOTHING; }
        @Override public Kernel copy(Ops.Copy op) { return NOTHING; }
    }

    private static List<String> steps(Layer net, Shape in, Backend backend) {
        try (Model m = Model.init(net, in, 1); CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(backend))) {
            return plan.steps();
        }
    }

    private static long count(List<String> steps, String prefix) {
        return steps.stream().filter(s -> s.startsWith(prefix)).count();
    }

    @Test
    void resNetShapedModelsRunBlockedFromStemToGlobalPoolWithoutReorders() {
        List<String> steps = steps(CompilerTest.miniResNet(), Shape.of(1, 3, 16, 16), new BlockingBackend());
        assertEquals(0, count(steps, "REORDER"), String.join("\n", steps));
        assertTrue(steps.stream().filter(s -> s.startsWith("CONV")).allMatch(s -> s.endsWith("[blocked]")), String.join("\n", steps));
        assertTrue(steps.stream().filter(s -> s.startsWith("POOL")).allMatch(s -> s.endsWith("[blocked]")), String.join("\n", steps));
        assertTrue(steps.stream().filter(s -> s.startsWith("GLOBAL_POOL")).noneMatch(s -> s.endsWith("[blocked]")),
                "global pooling writes NCHW:\n" + String.join("\n", steps));
    }

    @Test
    void aPlainReaderGetsOneReorderAndTheModelOutputIsNchw() {
        Layer flat = Sequential.builder().add("conv", Conv2d.of(3, 24, 3)).add("relu", Act.relu())
                .add("flatten", new Flatten()).add("fc", Linear.of(24 * 4 * 4, 3)).build();
        List<String> steps = steps(flat, Shape.of(2, 3, 6, 6), new BlockingBackend());
        assertEquals(List.of("CONV", "REORDER", "LINEAR"), steps.stream().map(s -> s.split(" ")[0]).toList(), String.join("\n", steps));

        Layer convOut = Sequential.of(Conv2d.of(3, 8, 3));
        List<String> out = steps(convOut, Shape.of(1, 3, 6, 6), new BlockingBackend());
        assertTrue(out.get(out.size() - 1).startsWith("REORDER"), "a blocked result is reordered to NCHW last:\n" + String.join("\n", out));
    }

    @Test
    void aDepthwiseFirstLayerReordersTheImageAndNothingIsBlockedWithoutABlockSize() {
        Layer dw = Sequential.of(Conv2d.of(8, 8, 3).groups(8), Conv2d.of(8, 4, 1));
        List<String> steps = steps(dw, Shape.of(1, 8, 5, 5), new BlockingBackend());
        assertEquals(List.of("REORDER", "CONV", "CONV", "REORDER"), steps.stream().map(s -> s.split(" ")[0]).toList(),
                String.join("\n", steps));

        List<String> plain = steps(dw, Shape.of(1, 8, 5, 5), ReferenceBackend.INSTANCE);
        assertEquals(0, count(plain, "REORDER") + plain.stream().filter(s -> s.endsWith("[blocked]")).count(), String.join("\n", plain));
    }

    @Test
    void blockedBuffersAreSizedForWholeBlocks() {
        // 3 -> 20 channels: the blocked conv output stores 32 channels, and it is alive together
        // with the NCHW model output (20 channels) while it is reordered into it.
        Layer net = Sequential.of(Conv2d.of(3, 20, 1), Act.relu());
        Shape in = Shape.of(1, 3, 10, 10);
        try (Model m = Model.init(net, in, 1);
             CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(new BlockingBackend()))) {
            assertTrue(plan.workspaceBytes() >= (32L + 20) * 10 * 10 * Float.BYTES, "workspace " + plan.workspaceBytes());
        }
    }
}
