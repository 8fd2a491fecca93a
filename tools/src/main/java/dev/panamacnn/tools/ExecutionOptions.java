package dev.panamacnn.tools;

import dev.panamacnn.core.plan.CompileOptions;
import picocli.CommandLine.Option;

/** {@code --backend} and {@code --threads}, shared by the commands that compile a model. */
final class ExecutionOptions {
    @Option(names = "--backend", defaultValue = "simd", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = "--threads", defaultValue = "1", description = "Intra-op threads (default ${DEFAULT-VALUE}).")
    int threads;

    /** Options for {@code Compiler.compile}; rejects a thread count below 1. */
    CompileOptions compileOptions() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        return CompileOptions.of(backend.backend()).threads(threads);
    }
}
