package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs {@code sluice} in this JVM as an operator would from a shell: the command line is {@link SluiceCli}'s, the
 * output is whatever the commands print to {@code System.out} and {@code System.err} (captured, then both restored).
 */
final class InProcessCli {

    private InProcessCli() {}

    /** The exit code and the two outputs of one run. */
    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        /** Exactly one line on stderr, no stack frame, containing each of {@code parts}. */
        void assertOneLine(String... parts) {
            assertEquals(1, errLines().size(), "one line: " + err);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            for (String part : parts) assertTrue(err.contains(part), "'" + part + "' in: " + err);
        }
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = SluiceCli.newCommandLine().execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
