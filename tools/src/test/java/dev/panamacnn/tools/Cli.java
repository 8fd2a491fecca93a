package dev.panamacnn.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs a command in-process, as {@code bin/panama-cnn} would, capturing what it prints. */
final class Cli {
    /** Exit code, standard output, standard error. */
    record Result(int exitCode, String out, String err) {}

    private Cli() {}

    static synchronized Result run(String... args) {
        System.setProperty("java.awt.headless", "true"); // as main sets it
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(picocliErr, true));
            int code = cli.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + picocliErr);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Runs and fails unless the exit code is 0, showing both streams. */
    static Result ok(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("exit code " + r.exitCode() + " for " + String.join(" ", args) + "\nstdout:\n" + r.out()
                    + "\nstderr:\n" + r.err());
        }
        return r;
    }
}
