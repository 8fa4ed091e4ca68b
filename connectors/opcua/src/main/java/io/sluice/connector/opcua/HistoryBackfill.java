package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.sluice.connector.opcua.NodeResolver.ResolvedNode;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryData;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryReadResult;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadRawModifiedDetails;

/**
 * Reads what a server historized for the nodes of an outage (HistoryRead with ReadRawModifiedDetails): per node the
 * values whose source time is after that node's own start and before {@code end}, oldest first, as samples marked
 * with {@link #HISTORY_RAW_BITS}. Nodes go in chunks of the server's read limit; continuation points are followed
 * (at most 100 rounds per chunk).
 */
final class HistoryBackfill {

    /** InfoType DataValue with HistorianBits Raw (OPC UA Part 4, 7.34.1): the value came from the server's history. */
    static final long HISTORY_RAW_BITS = 0x400L;

    /** What a backfill found: how many samples, and the nodes the server has no history for ("tag: status"). */
    record Outcome(long samples, List<String> withoutHistory) {
    }

    private final OpcUaClient client;
    private final OpcUaValues values;
    private final Duration timeout;
    private final int chunk;

    HistoryBackfill(OpcUaClient client, OpcUaValues values, Duration timeout, int chunk) {
        this.client = client;
        this.values = values;
        this.timeout = timeout;
        this.chunk = chunk;
    }

    /** Reads {@code nodes} from {@code startNanos(tag)} (exclusive) to {@code end}; hands each chunk's samples on. */
    Outcome read(List<ResolvedNode> nodes, ToLongFunction<String> startNanos, DateTime end, long receiveNanos,
                 Consumer<List<Sample>> sink) {
        long count = 0;
        List<String> without = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i += chunk) {
            List<ResolvedNode> part = nodes.subList(i, Math.min(nodes.size(), i + chunk));
            long from = part.stream().mapToLong(n -> startNanos.applyAsLong(n.tag())).min().orElseThrow();
            ReadRawModifiedDetails details = new ReadRawModifiedDetails(false,
                    new DateTime(Instant.ofEpochSecond(0, from)), end, uint(10_000), false);
            List<List<DataValue>> read = readChunk(part, details, without);
            List<Sample> batch = new ArrayList<>();
            for (int k = 0; k < part.size(); k++) {
                ResolvedNode n = part.get(k);
                long after = startNanos.applyAsLong(n.tag());
                List<Sample> samples = new ArrayList<>();
                for (DataValue dv : read.get(k)) {
                    Sample s = values.sample(n.tag(), dv, receiveNanos, n.unit());
                    if (s.sourceTimeNanos() <= after) continue;
                    samples.add(new Sample(s.tag(), s.value(), s.quality(), s.statusCode() | HISTORY_RAW_BITS,
                            s.sourceTimeNanos(), s.serverTimeNanos(), s.receiveTimeNanos(), s.unit()));
                }
                samples.sort(Comparator.comparingLong(Sample::sourceTimeNanos));
                batch.addAll(samples);
            }
            if (!batch.isEmpty()) {
                count += batch.size();
                sink.accept(batch);
            }
        }
        return new Outcome(count, without);
    }

    private List<List<DataValue>> readChunk(List<ResolvedNode> part, ReadRawModifiedDetails details, List<String> without) {
        List<List<DataValue>> read = new ArrayList<>();
        for (int k = 0; k < part.size(); k++) read.add(new ArrayList<>());
        ByteString[] continuation = new ByteString[part.size()];
        for (int round = 0; round < 100; round++) {
            List<HistoryReadValueId> ids = new ArrayList<>();
            List<Integer> index = new ArrayList<>();
            for (int k = 0; k < part.size(); k++) {
                if (round > 0 && continuation[k] == null) continue;
                ids.add(new HistoryReadValueId(part.get(k).nodeId(), null, QualifiedName.NULL_VALUE,
                        round == 0 ? ByteString.NULL_VALUE : continuation[k]));
                index.add(k);
            }
            if (ids.isEmpty()) break;
            HistoryReadResult[] results = Durations.await(client.historyReadAsync(details, TimestampsToReturn.Both,
                    false, ids), timeout).getResults();
            for (int r = 0; results != null && r < results.length; r++) {
                int k = index.get(r);
                HistoryReadResult result = results[r];
                continuation[k] = null;
                if (result.getStatusCode().isBad()) {
                    without.add(part.get(k).tag() + ": " + OpcUaClients.statusName(result.getStatusCode().value()));
                    continue;
                }
                Object decoded = result.getHistoryData() == null ? null
                        : result.getHistoryData().decode(client.getStaticEncodingContext());
                if (decoded instanceof HistoryData h && h.getDataValues() != null) read.get(k).addAll(List.of(h.getDataValues()));
                ByteString cp = result.getContinuationPoint();
                if (cp != null && cp.isNotNull() && cp.length() > 0) continuation[k] = cp;
            }
        }
        return read;
    }
}
