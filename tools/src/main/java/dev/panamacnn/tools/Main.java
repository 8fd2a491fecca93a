package dev.panamacnn.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/panama-cnn}. */
@Command(name = "panama-cnn", mixinStandardHelpOptions = true, version = "panama-cnn 0.1.0",
        description = "Convolutional neural networks in pure Java (FFM + Vector API).",
        subcommands = {InfoCommand.class, SummaryCommand.class, RunCommand.class, DemoCommand.class, BenchCommand.class,
                BenchGemmCommand.class, TrainMnistCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        // Plots and image decoding never need a display; without this AWT may look for one.
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code main} runs it, for running commands in-process (tests). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // Errors from the library are user errors here: print the message, not a stack trace.
        cli.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof java.io.IOException || ex instanceof UnsupportedOperationException
                    || ex instanceof dev.panamacnn.opencl.OpenClException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli;
    }
}
