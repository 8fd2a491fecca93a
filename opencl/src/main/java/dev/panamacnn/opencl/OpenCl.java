package dev.panamacnn.opencl;

import java.util.List;

/** Whether OpenCL is usable here, and which devices it offers. */
public final class OpenCl {
    private OpenCl() {}

    /** System property that picks the default device of {@link OpenClBackend#create()}: an index or a name substring. */
    public static final String DEVICE_PROPERTY = "panamacnn.opencl.device";

    /** True when the loader loads and at least one device exists. Never throws. */
    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Null when {@link #isAvailable()}, else why not and what to install. Never throws. */
    public static String unavailableReason() {
        try {
            String e = Cl.loadError();
            if (e != null) return e;
            if (Devices.all().isEmpty()) {
                return "OpenCL has no device (no driver registered in /etc/OpenCL/vendors); " + Cl.INSTALL_HINT;
            }
            return null;
        } catch (RuntimeException | LinkageError e) {
            return "OpenCL is not usable: " + e.getMessage();
        }
    }

    /** Every device of every platform. Throws {@link OpenClException} when OpenCL is missing. */
    public static List<OpenClDevice> devices() {
        return Devices.all().stream().map(Devices.Found::info).toList();
    }

    /** A human-readable device list (for {@code panama-cnn info}), or the reason there is none. Never throws. */
    public static String describeDevices() {
        String reason = unavailableReason();
        if (reason != null) return reason;
        StringBuilder sb = new StringBuilder();
        for (OpenClDevice d : devices()) sb.append(d.describe()).append('\n');
        return sb.toString();
    }
}
