package dev.panamacnn.opencl;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A command-line device check (not a unit test): lists the OpenCL devices through our bindings,
 * checks ResNet-18 on the chosen device against the reference forward pass, and times
 * {@link CompiledModel#run} at batch 1 (latency) and a larger batch (throughput), medians of N
 * runs after warm-up. Exits 1 if the check fails. Used by {@code tools/device/run-opencl-gpu.sh}.
 *
 * <pre>
 * java ... dev.panamacnn.opencl.DeviceCheck [--list] [--device SEL] [--runs N] [--batch B] [--no-check] [--sweep] [--out FILE]
 * </pre>
 * {@code --sweep} then times every GEMM tiling the device can run, forced for all layers, to
 * check the per-layer choice against fixed ones.
 */
public final class DeviceCheck {
    private DeviceCheck() {}

    public static void main(String[] args) throws IOException {
        String device = System.getProperty(OpenCl.DEVICE_PROPERTY);
        int runs = 20, batch = 32;
        boolean check = true, sweep = false;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> {
                    System.out.println(OpenCl.describeDevices().stripTrailing());
                    System.exit(OpenCl.isAvailable() ? 0 : 1);
                }
                case "--device" -> device = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--no-check" -> check = false;
                case "--sweep" -> sweep = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--list] [--device SEL] [--runs N] [--batch B] [--no-check] [--sweep] [--out FILE]");
            }
        }
        List<String> report = new ArrayList<>();
        say(report, "OpenCL devices:\n" + OpenCl.describeDevices().stripTrailing());
        boolean ok = true;
        try (OpenClBackend cl = OpenClBackend.create(device);
             Model m = Model.init(ResNet18.build(), ResNet18.INPUT, 1)) {
            say(report, "device: " + cl.device().describe());
            if (check) ok = check(report, cl, m);
            time(report, cl, m, 1, runs);
            if (batch > 1) time(report, cl, m, batch, Math.max(3, runs / 4));
            if (sweep) {
                for (GemmTiling t : GemmTiling.usable(cl.device())) {
                    System.setProperty(GemmTiling.PROPERTY, t.toString());
                    try (OpenClBackend forced = OpenClBackend.create(String.valueOf(cl.device().index()))) {
                        say(report, "forced GEMM tiling " + t + ":");
                        time(report, forced, m, 1, Math.max(3, runs / 2));
                        if (batch > 1) time(report, forced, m, batch, 3);
                    } finally {
                        System.clearProperty(GemmTiling.PROPERTY);
                    }
                }
            }
        }
        say(report, ok ? "RESULT: PASS" : "RESULT: FAIL");
        if (out != null) Files.write(out, report);
        if (!ok) System.exit(1);
    }

    /** User + system CPU time of the whole process (driver threads included), from /proc; -1 elsewhere. */
    private static long processCpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // fields 14, 15 in USER_HZ = 100
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void say(List<String> report, String line) {
        System.out.println(line);
        report.add(line);
    }

    /** ResNet-18, batch 2: compiled on the device vs the reference forward pass. */
    private static boolean check(List<String> report, OpenClBackend cl, Model m) {
        Shape shape = Shape.of(2, 3, 224, 224);
        try (Arena arena = Arena.ofConfined(); CompiledModel plan = Compiler.compile(m, shape, CompileOptions.of(cl))) {
            Tensor x = Tensor.randomNormal(arena, 7, 0f, 1f, shape.dims());
            long t0 = System.nanoTime();
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            long t1 = System.nanoTime();
            Tensor actual = plan.run(x, arena);
            double scale = Tolerance.rms(expected.toArray());
            try {
                new Tolerance(1e-4, 1e-4 * scale, 4).assertClose("ResNet-18 on OpenCL vs reference", expected, actual);
                say(report, String.format(Locale.ROOT, "check: ResNet-18 batch 2 matches the reference (max abs error %.3g,"
                                + " rms %.3g; reference forward took %.1f s)", Tolerance.maxAbsError(expected.toArray(),
                                actual.toArray()), scale, (t1 - t0) / 1e9));
                return true;
            } catch (AssertionError e) {
                say(report, "check: FAILED: " + e.getMessage());
                return false;
            }
        }
    }

    private static void time(List<String> report, OpenClBackend cl, Model m, int batch, int runs) {
        Shape shape = Shape.of(batch, 3, 224, 224);
        long c0 = System.nanoTime();
        try (Arena arena = Arena.ofConfined(); CompiledModel plan = Compiler.compile(m, shape, CompileOptions.of(cl))) {
            long c1 = System.nanoTime();
            Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, shape.dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            long f0 = System.nanoTime();
            plan.run(x, y);
            long f1 = System.nanoTime();
            for (int i = 0; i < Math.max(2, runs / 5); i++) plan.run(x, y);
            double[] ms = new double[runs];
            long cpu0 = processCpuMillis();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                plan.run(x, y);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            long cpu = processCpuMillis() - cpu0;
            Arrays.sort(ms);
            double median = ms[runs / 2];
            say(report, String.format(Locale.ROOT, "ResNet-18 batch %d: median %.2f ms (min %.2f, max %.2f, %d runs),"
                            + " %.1f images/s; host CPU %.1f ms/run (all threads); compile %.0f ms, first run %.0f ms",
                    batch, median, ms[0], ms[runs - 1], runs, batch * 1000 / median, cpu / (double) runs,
                    (c1 - c0) / 1e6, (f1 - f0) / 1e6));
        }
    }
}
