package dev.panamacnn.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class AllocationSitesTest {
    private static volatile Object sink;

    @Test
    void namesTheProjectMethodThatAllocates() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, 1 << 20); // toArray: 4 MB outside any TLAB, every call
            String sites = AllocationSites.of(() -> {
                for (int i = 0; i < 20; i++) sink = t.toArray();
            });
            assertTrue(sites.contains("dev.panamacnn.core.Tensor.toArray"), sites);
        }
    }
}
