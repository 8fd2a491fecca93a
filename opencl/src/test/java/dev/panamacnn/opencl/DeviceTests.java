package dev.panamacnn.opencl;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs this module's OpenCL tests without Maven (a GPU machine with only a Java runtime):
 * {@code java -cp ... dev.panamacnn.opencl.DeviceTests [SimpleClassName...]}; no names runs them
 * all. Prints one line per test and the failures; exits 1 unless every test passed and none was
 * skipped (a skip means OpenCL was missing, which on a device machine is a failure).
 */
public final class DeviceTests {
    private DeviceTests() {}

    static final List<String> ALL = List.of("GemmTilingTest", "OpenClErrorsTest", "ConvKernelsTest", "PoolKernelsTest",
            "EltwiseKernelsTest", "BinaryKernelsTest", "LayoutKernelsTest", "ReduceKernelsTest", "MatMulKernelsTest",
            "SharedContextTest", "OpenClModelTest", "OpenClLeakTest");

    public static void main(String[] args) throws ClassNotFoundException {
        List<ClassSelector> selectors = new ArrayList<>();
        for (String name : args.length == 0 ? ALL : List.of(args)) {
            selectors.add(selectClass(Class.forName(DeviceTests.class.getPackageName() + "." + name)));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            private final java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public void executionStarted(TestIdentifier id) {
                started.put(id.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                long ns = System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime());
                System.out.printf("%-8s %-70s %6.1f s%n", result.getStatus(), id.getLegacyReportingName()
                        + " (" + id.getUniqueId().replaceAll(".*\\[class:dev\\.panamacnn\\.opencl\\.([^\\]]*)].*", "$1") + ")",
                        ns / 1e9);
            }

            /** Report entries of the tests (the leak test's memory growth), one line each. */
            @Override
            public void reportingEntryPublished(TestIdentifier id, org.junit.platform.engine.reporting.ReportEntry entry) {
                entry.getKeyValuePairs().forEach((k, v) -> System.out.println(k + ": " + v));
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED  " + id.getDisplayName() + ": " + reason);
            }
        };
        LauncherFactory.create().execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 30);
        s.printTo(out);
        boolean ok = s.getTotalFailureCount() == 0 && s.getTestsSkippedCount() == 0 && s.getTestsAbortedCount() == 0
                && s.getTestsSucceededCount() > 0;
        out.println(ok ? "DEVICE TESTS: PASS" : "DEVICE TESTS: FAIL");
        System.exit(ok ? 0 : 1);
    }
}
