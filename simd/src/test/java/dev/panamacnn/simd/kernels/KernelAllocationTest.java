package dev.panamacnn.simd.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Once warmed up, no kernel allocates on the Java heap: every family's calls (all code paths,
 * see {@link Scenarios}) together allocate exactly 0 bytes over 200 passes. No tolerance is
 * needed: {@code getThreadAllocatedBytes} itself does not allocate, and C2 keeps every vector
 * in registers (nothing returns or passes a vector across a non-inlined call).
 */
class KernelAllocationTest {
    @Test
    void warmedUpKernelsAllocateNothing() {
        for (Scenarios.Family f : Scenarios.all()) {
            long warm = Scenarios.warm(f, 30);
            assertEquals(0, warm, f.name() + ": still allocating after 30 s of warm-up (bytes per 20 passes)");
            assertEquals(0, Scenarios.allocatedBy(f, 200), f.name() + ": bytes allocated by 200 warmed-up passes");
        }
    }
}
