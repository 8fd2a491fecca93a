package dev.panamacnn.opencl;

import java.util.List;

/**
 * One OpenCL device as its driver describes it. {@code index} is its position in
 * {@link OpenCl#devices()} (platforms in loader order, then devices), the number a selector
 * such as {@code "1"} refers to. {@code localMemDedicated} is false when the driver emulates local
 * memory in global memory (CPU devices, which run a work-group as a loop over its work-items).
 */
public record OpenClDevice(int index, String platform, String name, String vendor, String type,
                           String version, String openClCVersion, String driverVersion,
                           int computeUnits, int clockMhz, long globalMemBytes, long maxAllocBytes,
                           long localMemBytes, boolean localMemDedicated, int maxWorkGroupSize,
                           List<Long> maxWorkItemSizes, boolean fp64) {

    public OpenClDevice {
        maxWorkItemSizes = List.copyOf(maxWorkItemSizes);
    }

    /** Whether the driver calls it a GPU. */
    public boolean isGpu() {
        return type.equals("GPU");
    }

    /** One line: index, name, type, platform, memory and limits. */
    public String describe() {
        return String.format("[%d] %s (%s, %s) — platform %s, %s, %s; %d compute units @ %d MHz,"
                        + " global %s (max alloc %s), local %s%s, max work-group %d, work-item sizes %s, fp64 %s",
                index, name, type, vendor, platform, version, openClCVersion, computeUnits, clockMhz,
                mib(globalMemBytes), mib(maxAllocBytes), kib(localMemBytes), localMemDedicated ? "" : " (emulated)",
                maxWorkGroupSize,
                maxWorkItemSizes, fp64 ? "yes" : "no");
    }

    private static String mib(long b) {
        return (b >> 20) + " MiB";
    }

    private static String kib(long b) {
        return (b >> 10) + " KiB";
    }
}
