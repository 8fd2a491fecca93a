package dev.panamacnn.tests.plan;

import dev.panamacnn.simd.SimdBackends;

/** Run in a JVM without {@code jdk.incubator.vector}: prints the backend the library picks. */
public final class FallbackProbe {
    private FallbackProbe() {}

    public static void main(String[] args) {
        System.out.println("backend=" + SimdBackends.fastest().name());
        System.out.println("backend-again=" + SimdBackends.fastest().name());
    }
}
