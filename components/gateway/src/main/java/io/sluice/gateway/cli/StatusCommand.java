package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows a running (or the last) gateway's state from its data directory: store, connectors with their health and counters, destinations with their state (FAILED with the reason), backlog and dead letters, and every metric.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--metrics", description = "Also list every metric.")
    boolean metrics;

    @Override
    public Integer call() throws Exception {
        Path file = data.resolve(Gateway.STATUS_FILE);
        if (!Files.exists(file)) {
            System.err.println("no " + Gateway.STATUS_FILE + " in " + data + " (has a gateway run there?)");
            return 1;
        }
        JsonNode s = new ObjectMapper().readTree(file.toFile());
        long ageMillis = System.currentTimeMillis() - s.path("writtenMillis").asLong();
        String state = s.path("state").asText();
        String verdict = state.equals("stopped") ? "gateway stopped" : ageMillis < 5000 ? "gateway running" : "gateway not running (killed?) or stuck";
        System.out.printf("status written %.1fs ago (%s), config %s%n", ageMillis / 1000.0, verdict, s.path("configSource").asText());
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
            for (JsonNode m : s.path("metrics")) {
                System.out.printf("  %s%s %s=%s%n", m.path("name").asText(), m.path("tags"), m.path("statistic").asText(), m.path("value").asText());
            }
        }
        return 0;
    }
}
