package dev.panamacnn.simd.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Once warmed up, no kernel allocates on the Java heap: every family's calls (all code paths,
 * see {@link Scenarios}) together allocate exactly 0 bytes over 200 passes. No tolerance is
 * needed: {@code getThreadAllocatedBytes} itself does not allocate, and C2 keeps every vector
 * in registers (nothing returns or passes a vector across a non-inlined call).
 */
@Order(1) // first: see junit-platform.properties
class KernelAllocationTest {
    @Test
    void warmedUpKernelsAllocateNothing() {
        StringBuilder failures = new StringBuilder();
        for (Scenarios.Family f : Scenarios.all()) {
            long warm = Scenarios.warm(f, 30);
            long after = Scenarios.allocatedBy(f, 200);
            if (warm != 0 || after != 0) {
                failures.append(f.name()).append(": ").append(after).append(" bytes in 200 passes after 30 s;");
                List<Runnable> calls = f.calls();
                for (int i = 0; i < calls.size(); i++) { // which call allocates
                    long b = Scenarios.allocatedBy(new Scenarios.Family(f.name(), List.of(calls.get(i))), 100);
                    if (b != 0) failures.append(" call ").append(i).append(": ").append(b / 100).append(" B;");
                }
                failures.append('\n');
            }
        }
        if (!failures.isEmpty()) fail("warmed-up kernels allocated:\n" + failures);
    }
}
