package dev.panamacnn.tools;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panama-cnn bench MODEL.onnx | --example NAME}: latency percentiles and throughput of a compiled model. */
@Command(name = "bench", description = "Median, p90, p99 latency and throughput of a model.")
final class BenchCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource.Choice model;

    @Mixin
    ExecutionOptions exec;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "50", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for weights and input.")
    long seed;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--profile", description = "Also time every planned step on its own and print the slowest first.")
    boolean profile;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("batch and iterations must be >= 1 and warmup >= 0");
        }
        CompileOptions opts = exec.compileOptions();
        try (Arena arena = Arena.ofConfined();
             ModelSource.Loaded loaded = ModelSource.load(model, batch, seed);
             CompiledModel plan = Compiler.compile(loaded.model(), loaded.input(), opts)) {
            var input = loaded.input();
            String example = loaded.name();
            Tensor x = Tensor.randomNormal(arena, seed, 0f, 1f, input.dims());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            for (int i = 0; i < warmup; i++) plan.run(x, y);
            long[] nanos = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                plan.run(x, y);
                nanos[i] = System.nanoTime() - t0;
            }
            LatencyStats s = LatencyStats.of(nanos);
            double throughput = batch * 1000.0 / s.medianMs();
            if (json) {
                System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"backend\": \"%s\", \"threads\": %d, \"batch\": %d,"
                                + " \"iterations\": %d, \"median_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f,"
                                + " \"min_ms\": %.3f, \"throughput_per_s\": %.2f}%n",
                        example, opts.backend().name(), exec.threads, batch, iterations, s.medianMs(), s.p90Ms(), s.p99Ms(),
                        s.minMs(), throughput);
            } else {
                System.out.printf(Locale.ROOT, "%s, backend %s, %d thread(s), batch %d, %d iterations after %d warm-up%n",
                        example, opts.backend().name(), exec.threads, batch, iterations, warmup);
                System.out.printf(Locale.ROOT, "latency  median %.3f ms   p90 %.3f ms   p99 %.3f ms   min %.3f ms%n",
                        s.medianMs(), s.p90Ms(), s.p99Ms(), s.minMs());
                System.out.printf(Locale.ROOT, "throughput %.1f images/s%n", throughput);
            }
            if (profile) printProfile(plan.profile(x, iterations));
        }
        return 0;
    }

    /** Steps by median time, slowest first, with their share of the summed medians. */
    private static void printProfile(List<CompiledModel.StepTime> times) {
        double total = times.stream().mapToDouble(CompiledModel.StepTime::medianMicros).sum();
        List<CompiledModel.StepTime> sorted = new ArrayList<>(times);
        sorted.sort(Comparator.comparingDouble(CompiledModel.StepTime::medianMicros).reversed());
        System.out.printf(Locale.ROOT, "%nprofile: median per step (sum %.3f ms)%n", total / 1e3);
        for (CompiledModel.StepTime t : sorted) {
            System.out.printf(Locale.ROOT, "%9.1f us %5.1f %%  %s%n", t.medianMicros(), 100 * t.medianMicros() / total, t.step());
        }
    }
}
