package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.operations.SampleTrace;
import io.sluice.runtime.store.StoreInspector;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice streams trace STREAM SEQ}: where one sample went. On a running gateway with an admin endpoint it asks
 * {@code GET /api/v1/streams/{name}/trace/{seq}}; otherwise it reads the data directory's store file (as
 * {@code streams inspect} does). Exit 0 traced, 1 no such stream or sequence.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Where one sample went: when it was received, that it is committed, and per destination whether it"
                + " was delivered (when, with the receipt kept: Kinesis shard and sequence number, file name and offset, ...),"
                + " dead-lettered (reason, dead-letter stream and sequence) or is still pending.",
                "Receipts are kept for store.keep-receipts (default 7d)."})
final class StreamTraceCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    StreamsCommand.DataOption data;

    @Parameters(index = "0", description = "Stream name.")
    String stream;

    @Parameters(index = "1", paramLabel = "SEQ", description = "Sequence number of the sample in the stream.")
    long sequence;

    @Option(names = "--json", description = "Print the trace as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode trace;
        if (GatewayControl.running(data.data) && GatewayControl.hasAdminEndpoint(data.data)) {
            trace = GatewayControl.get(data.data, "/api/v1/streams" + OperatorCommand.path(stream) + "/trace/" + sequence);
        } else {
            try (StoreInspector store = data.open()) {
                if (store.streams().stream().noneMatch(s -> s.name().equals(stream))) {
                    System.err.println("no stream '" + stream + "' in " + data.data);
                    return ExitCodes.FAILED;
                }
                Set<String> exported = StreamsCommand.exportedTo(data.status(), stream);
                trace = JSON.valueToTree(SampleTrace.of(store, stream, sequence, exported == null ? Set.of() : exported).toJson());
            }
        }
        if (json) {
            System.out.println(JSON.writeValueAsString(trace));
        } else {
            print(trace);
        }
        return ExitCodes.OK;
    }

    static void print(JsonNode t) {
        System.out.printf("stream %s sequence %d%n", t.path("stream").asText(), t.path("sequence").asLong());
        if (t.path("stored").asBoolean()) {
            System.out.printf("  tag          %s%n  source time  %s%n  received     %s%n", t.path("tag").asText(),
                    t.path("sourceTime").asText(), t.path("receivedAt").asText());
        }
        System.out.printf("  committed    %s%n", t.path("committed").asText());
        if (t.path("destinations").isEmpty()) System.out.println("  no destination has a cursor on this stream");
        for (JsonNode d : t.path("destinations")) {
            JsonNode cursor = d.path("cursor");
            System.out.printf("  destination %s: %s (cursor %s)%n", d.path("name").asText(), d.path("verdict").asText(),
                    cursor.isNull() || cursor.isMissingNode() ? "none" : cursor.asText());
            for (JsonNode x : d.path("deliveries")) {
                StringBuilder receipt = new StringBuilder(x.path("receipt").path("kind").asText());
                x.path("receipt").fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("kind")) receipt.append(' ').append(f.getKey()).append('=').append(f.getValue().asText());
                });
                System.out.printf("    delivered %s with sequences %d..%d, receipt: %s%n", x.path("deliveredAt").asText(),
                        x.path("firstSequence").asLong(), x.path("lastSequence").asLong(), receipt);
            }
            for (JsonNode x : d.path("deadLetters")) {
                long seq = x.path("sequence").asLong();
                System.out.printf("    dead-lettered to %s%s: %s%n", x.path("stream").asText(),
                        seq < 0 ? "" : " sequence " + seq, x.path("reason").asText());
            }
            if (d.path("verdict").asText().equals("passed")) {
                System.out.println("    its cursor passed the sample; no receipt is kept (none given, or older than store.keep-receipts)");
            }
        }
    }
}
