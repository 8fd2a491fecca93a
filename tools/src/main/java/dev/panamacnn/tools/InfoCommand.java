package dev.panamacnn.tools;

import dev.panamacnn.simd.VectorCapabilities;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code panama-cnn info}: the runtime this library sees. */
@Command(name = "info", description = "Show the JDK, Vector API species and cores in use.")
final class InfoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Runtime.Version v = Runtime.version();
        System.out.printf("JDK          %s (%s, %s)%n", v, System.getProperty("java.vm.vendor"),
                System.getProperty("java.home"));
        System.out.printf("OS / arch    %s %s / %s%n", System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"));
        System.out.printf("cores        %d available to the JVM%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("Vector API   %s: %d float lanes, %d-bit vectors%n",
                VectorCapabilities.describe(), VectorCapabilities.floatLanes(), VectorCapabilities.vectorBits());
        System.out.printf("max heap     %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("GEMM         %s%n", dev.panamacnn.simd.gemm.GemmConfig.describe());
        if (dev.panamacnn.opencl.OpenCl.isAvailable()) {
            System.out.println("OpenCL devices (--backend opencl; choose with -Dpanamacnn.opencl.device=N|name):");
            System.out.print(dev.panamacnn.opencl.OpenCl.describeDevices().indent(2));
        } else {
            System.out.println("OpenCL       unavailable: " + dev.panamacnn.opencl.OpenCl.unavailableReason());
        }
        return 0;
    }
}
