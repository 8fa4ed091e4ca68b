package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.StatusFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows a running (or the last) gateway's state from its data directory: store, connectors with their health and counters, destinations with their state (FAILED with the reason), backlog and dead letters, and every metric.",
                "Whether the gateway runs is decided by its lock on the data directory, not by the age of status.json."})
final class StatusCommand implements Callable<Integer> {

    /** How old a running gateway's status may be before it is called stale (it is rewritten every second). */
    static final long STALE_AFTER_MILLIS = 5000;

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--metrics", description = "Also list every metric.")
    boolean metrics;

    @Override
    public Integer call() throws Exception {
        DataDirectoryLock.State lock = DataDirectoryLock.probe(data);
        Path file = data.resolve(Gateway.STATUS_FILE);
        Optional<byte[]> document = StatusFile.read(file);
        if (document.isEmpty()) {
            if (lock == DataDirectoryLock.State.HELD) {
                System.out.println("gateway running (it holds " + data.resolve(Gateway.LOCK_FILE) + "); it has written no complete "
                        + Gateway.STATUS_FILE + " yet");
                return ExitCodes.OK;
            }
            System.err.println("sluice status: " + (Files.exists(file) ? Gateway.STATUS_FILE + " in " + data
                    + " is incomplete (the gateway stopped while writing it) and no gateway runs there"
                    : "no " + Gateway.STATUS_FILE + " in " + data + " (has a gateway run there?)"));
            return ExitCodes.FAILED;
        }
        JsonNode s = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(document.get());
        long ageMillis = System.currentTimeMillis() - s.path("writtenMillis").asLong();
        System.out.printf("status written %.1fs ago (%s), config %s%n", ageMillis / 1000.0,
                verdict(lock, s.path("state").asText(), ageMillis), s.path("configSource").asText());
        JsonNode store = s.path("store");
        System.out.printf("store: %s %s%n", store.path("state").asText(), store.path("detail").asText());
        System.out.println("connectors:");
        for (JsonNode c : s.path("connectors")) {
            System.out.printf("  %-20s %-10s %-13s committed %,d  refused %,d  %s%n", c.path("name").asText(), c.path("type").asText(),
                    c.path("state").asText(), c.path("samplesCommitted").asLong(), c.path("samplesRefused").asLong(), c.path("detail").asText());
        }
        System.out.println("destinations:");
        for (JsonNode d : s.path("destinations")) {
            long backlog = 0;
            for (JsonNode e : d.path("exports")) backlog += e.path("backlog").asLong();
            String dstate = d.path("state").asText();
            System.out.printf("  %-20s %-10s %-12s backlog %,d  sent %,d samples  retries %,d  throttles %,d  dead-lettered %,d  %s%n",
                    d.path("name").asText(), d.path("type").asText(), dstate, backlog, d.path("samplesSent").asLong(),
                    d.path("retries").asLong(), d.path("throttles").asLong(), d.path("deadLettered").asLong(),
                    dstate.equals("FAILED") ? "cannot start (" + d.path("startFailures").asLong() + " attempts): " + d.path("lastError").asText()
                            : d.path("lastError").asText());
            d.path("deadLetters").fields().forEachRemaining(f -> System.out.printf("      dead-lettered to %s: %,d %s%n",
                    d.path("deadLetterStream").asText(), f.getValue().asLong(), f.getKey()));
        }
        if (metrics) {
            System.out.println("metrics:");
            if (s.hasNonNull("metricsLeftOut")) System.out.println("  (" + s.path("metricsLeftOut").asText() + ")");
            for (JsonNode m : s.path("metrics")) {
                System.out.printf("  %s%s %s=%s%n", m.path("name").asText(), m.path("tags"), m.path("statistic").asText(), m.path("value").asText());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * Running or not is the data-directory lock's answer (a live gateway holds it; the system drops it when the
     * process dies); the status file's state and age only say how it stopped, or that a running one is slow to
     * rewrite it.
     */
    static String verdict(DataDirectoryLock.State lock, String state, long ageMillis) {
        if (lock == DataDirectoryLock.State.HELD) {
            if (state.equals("stopped")) return "gateway stopping";
            return ageMillis < STALE_AFTER_MILLIS ? "gateway running"
                    : "gateway running, but its status is not being rewritten (see its log)";
        }
        return state.equals("stopped") ? "gateway stopped" : "gateway not running: killed or crashed while running";
    }
}
