package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.admin.AdminAddress;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.StatusFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows a running (or the last) gateway's state: store, connectors with their health and counters, streams with backlog, oldest age, drain rate and time to drain, destinations with their state (FAILED with the reason, failing since, next retry), dead letters, samples rerouted to a fallback, and every metric.",
                "A running gateway is asked through its admin endpoint (the address is in <data>/admin.json); a stopped one, or one whose endpoint is off, is read from status.json. Whether the gateway runs is decided by its lock on the data directory, not by the age of status.json.",
                "Exit code 0: running and healthy, 1: running but degraded (or nothing to show), 3: not running."})
final class StatusCommand implements Callable<Integer> {

    /** How old a running gateway's status may be before it is called stale (it is rewritten every second). */
    static final long STALE_AFTER_MILLIS = 5000;

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--metrics", description = "Also list every metric.")
    boolean metrics;

    @Option(names = "--json", description = "Print the status document as JSON (the same as GET /api/v1/status).")
    boolean json;

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public Integer call() throws Exception {
        DataDirectoryLock.State lock = DataDirectoryLock.probe(data);
        boolean running = lock == DataDirectoryLock.State.HELD;
        JsonNode s = running ? fromEndpoint().orElse(null) : null;
        boolean live = s != null;
        if (s == null) {
            Path file = data.resolve(Gateway.STATUS_FILE);
            Optional<byte[]> document = StatusFile.read(file);
            if (document.isEmpty()) {
                if (running) {
                    System.out.println("gateway running (it holds " + data.resolve(Gateway.LOCK_FILE) + "); it has written no complete "
                            + Gateway.STATUS_FILE + " yet");
                    return ExitCodes.OK;
                }
                System.err.println("sluice status: " + (Files.exists(file) ? Gateway.STATUS_FILE + " in " + data
                        + " is incomplete (the gateway stopped while writing it) and no gateway runs there"
                        : "no " + Gateway.STATUS_FILE + " in " + data + " (has a gateway run there?)"));
                return ExitCodes.FAILED;
            }
            ObjectNode node = (ObjectNode) mapper.readTree(document.get());
            node.remove("statusLength");
            node.remove("statusCrc32");
            if (!metrics && json) node.remove("metrics");
            s = node;
        }
        long ageMillis = System.currentTimeMillis() - s.path("writtenMillis").asLong();
        boolean healthy = live ? s.path("health").path("status").asText().equals("healthy") : healthyFromFile(s);
        int exit = !running ? ExitCodes.STOPPED : healthy ? ExitCodes.OK : ExitCodes.DEGRADED;
        if (json) {
            System.out.println(mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
            return exit;
        }
        System.out.printf("%s (%s)%s, config %s%n", live ? "status from the running gateway" : String.format("status written %.1fs ago", ageMillis / 1000.0),
                verdict(lock, s.path("state").asText(), live ? 0 : ageMillis), running ? healthy ? ", healthy" : ", degraded" : "",
                s.path("configSource").asText());
        JsonNode reloads = s.path("reloads");
        if (reloads.hasNonNull("lastOutcome")) {
            System.out.printf("config reloads: %d applied, %d unchanged, %d rejected; last %s: %s%n", reloads.path("applied").asLong(),
                    reloads.path("unchanged").asLong(), reloads.path("rejected").asLong(), reloads.path("lastOutcome").asText(),
                    reloads.path("lastDetail").asText());
        }
        JsonNode store = s.path("store");
        System.out.printf("store: %s %s%s%n", store.path("state").asText(), store.path("detail").asText(),
                store.has("diskFreeBytes") ? String.format("  disk %,d MB free of %,d MB", store.path("diskFreeBytes").asLong() >> 20,
                        store.path("diskTotalBytes").asLong() >> 20) : "");
        System.out.println("connectors:");
        for (JsonNode c : s.path("connectors")) {
            System.out.printf("  %-20s %-10s %-8s %-13s committed %,d  refused %,d  %s%n", c.path("name").asText(), c.path("type").asText(),
                    c.path("lifecycle").asText("-"), c.path("state").asText(), c.path("samplesCommitted").asLong(),
                    c.path("samplesRefused").asLong(), c.path("detail").asText());
        }
        if (live) {
            System.out.println("streams:");
            for (JsonNode st : s.path("streams")) {
                JsonNode eta = st.path("etaSeconds");
                System.out.printf("  %-20s stored %,d  backlog %,d  oldest %.1fs  drain %,.1f/s  append %,.1f/s  %s%n", st.path("name").asText(),
                        st.path("storedSamples").asLong(), st.path("backlog").asLong(), st.path("oldestAgeMillis").asLong() / 1000.0,
                        st.path("drainRatePerSecond").asDouble(), st.path("appendRatePerSecond").asDouble(),
                        st.path("backlog").asLong() == 0 ? "" : eta.isNull() ? "not draining" : "drained in ~" + eta.asLong() + "s");
            }
        }
        System.out.println("destinations:");
        for (JsonNode d : s.path("destinations")) {
            long backlog = 0;
            for (JsonNode e : d.path("exports")) backlog += e.path("backlog").asLong();
            String dstate = d.path("state").asText();
            String lastError = d.path("lastError").isNull() ? "" : d.path("lastError").asText();
            System.out.printf("  %-20s %-10s %-12s backlog %,d  sent %,d samples  retries %,d  throttles %,d  dead-lettered %,d  %s%n",
                    d.path("name").asText(), d.path("type").asText(), dstate, backlog, d.path("samplesSent").asLong(),
                    d.path("retries").asLong(), d.path("throttles").asLong(), d.path("deadLettered").asLong(),
                    dstate.equals("FAILED") ? "cannot start (" + d.path("startFailures").asLong() + " attempts): " + lastError : lastError);
            if (d.path("failingSinceMillis").asLong() > 0) {
                long next = d.path("nextRetryInMillis").isNull() ? -1 : d.path("nextRetryInMillis").asLong(-1);
                System.out.printf("      failing since %s%s%n", java.time.Instant.ofEpochMilli(d.path("failingSinceMillis").asLong()),
                        next >= 0 ? String.format(", next retry in %.1fs", next / 1000.0) : "");
            }
            d.path("deadLetters").fields().forEachRemaining(f -> System.out.printf("      dead-lettered to %s: %,d %s%n",
                    d.path("deadLetterStream").asText(), f.getValue().asLong(), f.getKey()));
            d.path("reroutes").fields().forEachRemaining(f -> System.out.printf("      rerouted to %s: %,d %s%n",
                    d.path("fallbackStream").asText(), f.getValue().asLong(), f.getKey()));
        }
        if (metrics) {
            System.out.println("metrics:");
            if (s.hasNonNull("metricsLeftOut")) System.out.println("  (" + s.path("metricsLeftOut").asText() + ")");
            for (JsonNode m : s.path("metrics")) {
                System.out.printf("  %s%s %s=%s%n", m.path("name").asText(), m.path("tags"), m.path("statistic").asText(), m.path("value").asText());
            }
        }
        return exit;
    }

    /**
     * The status document of the running gateway's admin endpoint, or empty when it has none (admin off) or does not
     * answer within 5 s (then status.json is read, and a note says why).
     */
    private Optional<JsonNode> fromEndpoint() {
        Optional<AdminAddress> address = AdminAddress.read(data);
        if (address.isEmpty()) return Optional.empty();
        AdminAddress a = address.get();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(a.url() + "/api/v1/status" + (metrics ? "?metrics=true" : "")))
                    .timeout(Duration.ofSeconds(5));
            if ("token".equals(a.auth()) && a.tokenFile() != null) {
                request.header("Authorization", "Bearer " + Files.readString(Path.of(a.tokenFile())).trim());
            }
            HttpResponse<byte[]> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                System.err.println("sluice status: the admin endpoint " + a.url() + " answered " + response.statusCode() + "; showing "
                        + Gateway.STATUS_FILE);
                return Optional.empty();
            }
            return Optional.of(mapper.readTree(response.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            System.err.println("sluice status: the admin endpoint " + a.url() + " did not answer (" + ExitCodes.oneLine(e) + "); showing "
                    + Gateway.STATUS_FILE);
            return Optional.empty();
        }
    }

    /** Healthy by status.json alone: store writable, no destination failing, every connector connected. */
    static boolean healthyFromFile(JsonNode s) {
        String store = s.path("store").path("state").asText("OK");
        if (!(store.equals("OK") || store.equals("LOW_SPACE") || store.equals("RECOVERING"))) return false;
        for (JsonNode d : s.path("destinations")) {
            String state = d.path("state").asText();
            if (state.equals("FAILED") || d.path("failingSinceMillis").asLong() > 0) return false;
        }
        for (JsonNode c : s.path("connectors")) {
            if (!c.path("state").asText().equals("CONNECTED")) return false;
        }
        return true;
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
