package dev.panamacnn.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a piece of code allocates, for the failure message of an allocation test: a steady-state
 * allocation is usually one kernel that C2 compiled with vector operations left as calls, and
 * it may not happen again in the next JVM, so the message has to say which one.
 */
public final class AllocationSites {
    private AllocationSites() {}

    /**
     * The five commonest allocation sites while {@code body} runs: per allocation event, the
     * innermost frame in project (non-test) code, with the allocated class and a count.
     */
    public static String of(Runnable body) {
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            r.start();
            body.run();
            r.stop();
            Path file = Files.createTempFile("allocations", ".jfr");
            try {
                r.dump(file);
                Map<String, Integer> sites = new HashMap<>();
                for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                    if (e.getStackTrace() == null) continue;
                    sites.merge(projectFrame(e), 1, Integer::sum);
                }
                return sites.entrySet().stream()
                        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                        .limit(5)
                        .map(s -> s.getValue() + "× " + s.getKey())
                        .collect(Collectors.joining("; ", "allocating sites: ", ""));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            return "allocating sites unknown (" + e + ")";
        }
    }

    private static String projectFrame(RecordedEvent e) {
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("dev.panamacnn.") && !type.startsWith("dev.panamacnn.tests.")) {
                return type + "." + f.getMethod().getName() + " line " + f.getLineNumber()
                        + " (" + e.getClass("objectClass").getName() + ")";
            }
        }
        return "outside the project (" + e.getStackTrace().getFrames().getFirst().getMethod().getName() + ")";
    }
}
