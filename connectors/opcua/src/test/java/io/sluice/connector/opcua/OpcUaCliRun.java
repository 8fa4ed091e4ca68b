package io.sluice.connector.opcua;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of {@code sluice opcua ...} in this JVM: its exit code and what it printed on each stream. */
record OpcUaCliRun(int code, String out, String err) {

    static OpcUaCliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new OpcUaCli().command());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new OpcUaCliRun(code, out.toString(), err.toString());
    }
}
