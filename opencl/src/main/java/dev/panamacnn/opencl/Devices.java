package dev.panamacnn.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Device discovery and selection: every device of every platform, with the handles to open one. */
final class Devices {
    private Devices() {}

    /** A device with the ids needed to create a context on it (root ids need no release). */
    record Found(OpenClDevice info, MemorySegment platform, MemorySegment device) {}

    static List<Found> all() {
        List<Found> out = new ArrayList<>();
        for (MemorySegment p : Cl.platforms()) {
            String platform = Cl.platformString(p, Cl.PLATFORM_NAME);
            for (MemorySegment d : Cl.devices(p)) out.add(new Found(describe(out.size(), platform, d), p, d));
        }
        return out;
    }

    private static OpenClDevice describe(int index, String platform, MemorySegment d) {
        long type = Cl.deviceLong(d, Cl.DEVICE_TYPE);
        String typeName = (type & Cl.DEVICE_TYPE_GPU) != 0 ? "GPU"
                : (type & Cl.DEVICE_TYPE_CPU) != 0 ? "CPU"
                : (type & Cl.DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR" : "OTHER";
        List<Long> itemSizes = new ArrayList<>();
        for (long s : Cl.deviceLongs(d, Cl.DEVICE_MAX_WORK_ITEM_SIZES, 3)) itemSizes.add(s);
        return new OpenClDevice(index, platform, Cl.deviceString(d, Cl.DEVICE_NAME),
                Cl.deviceString(d, Cl.DEVICE_VENDOR), typeName, Cl.deviceString(d, Cl.DEVICE_VERSION),
                Cl.deviceString(d, Cl.DEVICE_OPENCL_C_VERSION), Cl.deviceString(d, Cl.DRIVER_VERSION),
                Cl.deviceInt(d, Cl.DEVICE_MAX_COMPUTE_UNITS), Cl.deviceInt(d, Cl.DEVICE_MAX_CLOCK_FREQUENCY),
                Cl.deviceLong(d, Cl.DEVICE_GLOBAL_MEM_SIZE), Cl.deviceLong(d, Cl.DEVICE_MAX_MEM_ALLOC_SIZE),
                Cl.deviceLong(d, Cl.DEVICE_LOCAL_MEM_SIZE), Cl.deviceInt(d, Cl.DEVICE_LOCAL_MEM_TYPE) == Cl.LOCAL_MEM_DEDICATED,
                (int) Math.min(Integer.MAX_VALUE, Cl.deviceLong(d, Cl.DEVICE_MAX_WORK_GROUP_SIZE)), itemSizes,
                Cl.deviceString(d, Cl.DEVICE_EXTENSIONS).contains("cl_khr_fp64"));
    }

    /**
     * Picks a device: {@code selector} null or blank → the first GPU, else the first device; all
     * digits → that index; otherwise the first whose name, vendor or platform contains it
     * (ignoring case). Throws {@link IllegalArgumentException} naming the devices there are.
     */
    static Found select(String selector) {
        List<Found> all = all();
        if (all.isEmpty()) {
            throw new OpenClException("OpenCL has no device: the loader found "
                    + (Cl.platforms().length == 0 ? "no platform" : "platforms without devices") + "; " + Cl.INSTALL_HINT);
        }
        if (selector == null || selector.isBlank()) {
            return all.stream().filter(f -> f.info().isGpu()).findFirst().orElse(all.getFirst());
        }
        String s = selector.strip();
        if (s.chars().allMatch(Character::isDigit)) {
            long i = s.length() > 9 ? Long.MAX_VALUE : Long.parseLong(s);
            if (i < all.size()) return all.get((int) i);
            throw new IllegalArgumentException("OpenCL device index " + s + " out of range: there "
                    + (all.size() == 1 ? "is 1 device" : "are " + all.size() + " devices") + "\n" + list(all));
        }
        String needle = s.toLowerCase(Locale.ROOT);
        for (Found f : all) {
            OpenClDevice d = f.info();
            if ((d.name() + "\n" + d.vendor() + "\n" + d.platform()).toLowerCase(Locale.ROOT).contains(needle)) return f;
        }
        throw new IllegalArgumentException("no OpenCL device matches \"" + s + "\"; devices:\n" + list(all));
    }

    private static String list(List<Found> all) {
        StringBuilder sb = new StringBuilder();
        for (Found f : all) sb.append("  ").append(f.info().describe()).append('\n');
        return sb.toString().stripTrailing();
    }
}
