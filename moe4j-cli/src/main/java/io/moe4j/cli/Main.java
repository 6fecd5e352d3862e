package io.moe4j.cli;

import io.moe4j.gguf.GgufException;
import io.moe4j.model.ContextOverflowException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code moe4j} command: one subcommand per job. Errors end in a one-line message, never a stack trace. */
@Command(name = "moe4j",
        mixinStandardHelpOptions = true,
        version = "moe4j 0.1.0",
        description = "Mixture-of-Experts inference and routing engine for the JVM.",
        subcommands = {
                RunCommand.class,
                DemoCommand.class,
                InspectCommand.class,
                TokenizeCommand.class,
                LogitsCommand.class,
                PerplexityCommand.class,
                TraceCommand.class,
                ReportCommand.class,
                SweepCommand.class,
                BenchCommand.class,
                CompareCommand.class,
                SynthCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (0 success, 1 failure, 2 bad usage). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("moe4j: " + describe(e));
            if (Boolean.getBoolean("moe4j.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("moe4j: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        return cli.execute(args);
    }

    static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory: give the JVM more with MOE4J_JAVA_OPTS=-Xmx..G, or use a smaller --ctx";
        }
        if (e instanceof GgufException || e instanceof ContextOverflowException || e instanceof IllegalArgumentException
                || e instanceof UserError) {
            return firstLine(e.getMessage());
        }
        if (e instanceof java.io.IOException io) {
            return "I/O error: " + firstLine(io.getMessage());
        }
        return e.getClass().getSimpleName() + ": " + firstLine(String.valueOf(e.getMessage()))
                + " (run with MOE4J_JAVA_OPTS=-Dmoe4j.debug=true for the stack trace)";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
