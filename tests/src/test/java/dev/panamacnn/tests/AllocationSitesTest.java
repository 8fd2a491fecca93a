package dev.panamacnn.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import org.junit.jupiter.api.Test;

class AllocationSitesTest {
    private static volatile Object sink;

    @Test
    void namesTheProjectMethodThatAllocates() {
        String sites = AllocationSites.of(() -> {
            for (int i = 0; i < 200_000; i++) sink = Shape.of(1, i, 3);
        });
        assertTrue(sites.contains("dev.panamacnn.core.Shape."), sites);
    }
}
