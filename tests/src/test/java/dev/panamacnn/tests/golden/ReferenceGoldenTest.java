package dev.panamacnn.tests.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every reference kernel against PyTorch: one dynamic test per fixture directory under
 * {@code tests/src/test/resources/golden} (made by {@code tools/golden/make_golden.py}).
 */
class ReferenceGoldenTest {

    @FunctionalInterface
    interface Check {
        void run(GoldenCase c, Arena arena) throws IOException;
    }

    /** op name in case.properties → the check that runs the matching reference kernel. */
    static final Map<String, Check> CHECKS = Map.ofEntries(
            Map.entry("conv2d", ConvGolden::conv2d),
            Map.entry("im2col", ConvGolden::im2col),
            Map.entry("col2im", ConvGolden::col2im),
            Map.entry("max_pool2d", PoolGolden::maxPool),
            Map.entry("avg_pool2d", PoolGolden::avgPool),
            Map.entry("global_avg_pool", PoolGolden::globalAvgPool),
            Map.entry("global_max_pool", PoolGolden::globalMaxPool),
            Map.entry("batch_norm", NormGolden::batchNorm),
            Map.entry("linear", EltwiseGolden::linear),
            Map.entry("activation", EltwiseGolden::activation),
            Map.entry("add", EltwiseGolden::add),
            Map.entry("softmax", EltwiseGolden::softmax));

    @TestFactory
    Stream<DynamicTest> referenceMatchesPyTorch() {
        return GoldenCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Check check = CHECKS.get(c.op());
            if (check == null) {
                fail(c + ": no golden check for op '" + c.op() + "'");
            }
            try (Arena arena = Arena.ofConfined()) {
                check.run(c, arena);
            }
        }));
    }

    /** The fixture set is present and exercises every op above (an empty set must not pass). */
    @Test
    void everyOpHasFixtures() {
        List<GoldenCase> cases = GoldenCases.all();
        assertTrue(cases.size() >= 50, "expected at least 50 golden cases, found " + cases.size());
        Set<String> ops = cases.stream().map(GoldenCase::op).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(CHECKS.keySet()), ops, "ops covered by golden fixtures");
    }

    /** Every array a case.properties lists is there, and nothing else. */
    @Test
    void fixturesMatchTheirManifests() {
        for (GoldenCase c : GoldenCases.all()) {
            for (String a : c.string("arrays").split(",")) {
                assertTrue(c.hasArray(a), c + ": missing " + a + ".npy");
            }
        }
    }
}
