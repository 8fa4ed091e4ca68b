package io.sluice.bench.soak;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Life boundaries in the Kinesis stream: while the gateway is down between two lives, the soak writes one marker
 * record into every shard. Sequence numbers grow within a shard, so a record belongs to the life of the last
 * marker before it — exact, unlike arrival times.
 */
final class KinesisMarks {

    static final byte[] MARKER = "sluice-soak-life-marker".getBytes(StandardCharsets.US_ASCII);

    private final KinesisAsyncClient client;
    private final String stream;
    /** Index = life; per shard, the sequence number of the marker written before that life (none for life 0). */
    private final List<Map<String, BigInteger>> marks = new ArrayList<>();

    KinesisMarks(KinesisAsyncClient client, String stream) {
        this.client = client;
        this.stream = stream;
    }

    /** Writes the markers for life {@code life}, which is about to start (the gateway is not running). */
    void mark(int life) throws Exception {
        while (marks.size() < life) marks.add(Map.of());
        Map<String, BigInteger> m = new LinkedHashMap<>();
        for (Shard shard : client.listShards(b -> b.streamName(stream)).get(30, TimeUnit.SECONDS).shards()) {
            String seq = client.putRecord(b -> b.streamName(stream).partitionKey("marker")
                            .explicitHashKey(shard.hashKeyRange().startingHashKey()).data(SdkBytes.fromByteArray(MARKER)))
                    .get(30, TimeUnit.SECONDS).sequenceNumber();
            m.put(shard.shardId(), new BigInteger(seq));
        }
        marks.add(m);
    }

    /** The life a record of {@code shardId} with {@code sequenceNumber} belongs to. */
    int lifeOf(String shardId, String sequenceNumber) {
        BigInteger seq = new BigInteger(sequenceNumber);
        int life = 0;
        for (int i = 1; i < marks.size(); i++) {
            BigInteger mark = marks.get(i).get(shardId);
            if (mark != null && mark.compareTo(seq) < 0) life = i;
        }
        return life;
    }

    static boolean isMarker(byte[] data) {
        return java.util.Arrays.equals(data, MARKER);
    }
}
