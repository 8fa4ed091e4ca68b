package io.sluice.gateway.cli;

import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.spi.SluiceException;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The exit codes of every command, and how a failure reaches the operator: one line naming what went wrong, never a
 * stack trace unless {@code --debug} asks for it.
 *
 * <pre>
 *   0  done; for `run`: stopped cleanly after SIGTERM or SIGINT
 *   1  failed at run time: data directory in use, store cannot open (disk full), a bug
 *   2  the config (or the command line) is invalid
 *   `status` only: 0 running and healthy, 1 running but degraded (not ready, a connector not connected, a
 *   destination failing), 3 not running (stopped, killed or crashed)
 * </pre>
 */
final class ExitCodes implements IExecutionExceptionHandler {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int CONFIG = 2;
    /** `status`: the gateway runs but is degraded. */
    static final int DEGRADED = 1;
    /** `status`: no gateway runs on the data directory. */
    static final int STOPPED = 3;

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintStream err = System.err;
        String prefix = "sluice " + command.getCommandName() + ": ";
        if (ex instanceof ConfigException config) {
            printProblems(config.problems(), err);
        } else {
            boolean expected = ex instanceof SluiceException;
            err.println(prefix + oneLine(ex) + (expected || debug(parseResult) ? "" : " (--debug shows where)"));
        }
        if (debug(parseResult)) ex.printStackTrace(err);
        return ex instanceof ConfigException ? CONFIG : FAILED;
    }

    /** One problem on one line; several under a line that counts them. */
    static void printProblems(List<ConfigProblem> problems, PrintStream err) {
        if (problems.size() == 1) {
            err.println(problems.get(0));
            return;
        }
        err.println(problems.size() + " config problems:");
        for (ConfigProblem p : problems) err.println("  " + p);
    }

    /** The message of a failure on one line; for a failure Sluice did not word itself, with its type and cause. */
    static String oneLine(Throwable ex) {
        String message = ex.getMessage() == null ? "" : ex.getMessage();
        if (!(ex instanceof SluiceException)) {
            message = ex.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
            Throwable cause = ex.getCause();
            if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
                message += ": " + cause.getMessage();
            }
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Whether {@code --debug} was given, before the subcommand or after it. */
    static boolean debug(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) return true;
        }
        return false;
    }
}
