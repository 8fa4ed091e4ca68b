package io.sluice.destination.kinesis;

import io.sluice.samplejson.SizeLimitedPacker;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Receipt;
import io.sluice.spi.destination.Rejection;
import io.sluice.spi.metrics.Metrics;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Exports samples to a Kinesis data stream. {@link #pack} groups samples by partition key and packs each group
 * into as few records as fit {@code max-record-size} ({@link SampleRecordFormat}); {@link #sendAsync} sends up to
 * 500 records in one {@code PutRecords} call and maps each result entry to an outcome: accepted, throttled
 * ({@code ProvisionedThroughputExceededException}, {@code KMSThrottlingException}) or retry (anything else, e.g.
 * {@code InternalFailure}). The publisher resends only the records that failed. No service answer dead-letters data:
 * a failed call (even {@code InvalidArgumentException}, which can only mean limits configured above the stream's) is
 * retryable; only a sample too large for any record is rejected, at pack time. A delivered record's receipt is the
 * shard id and sequence number the service answered for it.
 *
 * <p>Per-shard quotas: {@link #sendAsync} cuts a call into chunks of at most one shard quota per shard and sends each
 * when its shards' {@link ShardBudget} allows (the shard of a key from {@link ShardMap}, refreshed with
 * {@code ListShards}). The packer is unchanged: a record is at most {@code max-record-size} (1 MiB) with its key, a
 * call at most 500 records and {@code max-request-size} (5 MiB), as the publisher assembles calls within
 * {@link DestinationLimits}.
 */
public final class KinesisDestination implements Destination, io.sluice.spi.destination.DestinationProbe {

    /** One shard's write quota: 1,000 records/s and 1 MiB/s. */
    public static final double SHARD_RECORDS_PER_SECOND = 1000;
    public static final double SHARD_BYTES_PER_SECOND = 1024 * 1024;
    static final int MAX_PARTITION_KEY_CHARS = 256;
    /**
     * The sliding window of the per-shard budget: one shard's quota per 1.05 s, not per 1 s, so that calls sent just
     * over a second apart still arrive at most a quota per second apart when the network delays the first by up to
     * 50 ms.
     */
    static final Duration BUDGET_WINDOW = Duration.ofMillis(1050);
    /** A key writing more than this share of its shard's quota ... */
    static final double HOT_KEY_SHARE = 0.5;
    /** ... for this many seconds in a row is a hot key. */
    static final int HOT_KEY_SECONDS = 10;
    /** ListShards again after this long, and at most this often after errors that may mean a resharding. */
    static final Duration SHARD_REFRESH = Duration.ofMinutes(5);
    static final Duration SHARD_REFRESH_MIN = Duration.ofSeconds(10);
    /** PutRecords calls in flight at once unless {@code max-calls-in-flight} says otherwise (the HTTP client allows 16). */
    static final int DEFAULT_CALLS_IN_FLIGHT = 8;

    private static final Set<String> THROTTLING_CODES = Set.of("ProvisionedThroughputExceededException",
            "KMSThrottlingException", "LimitExceededException", "ThrottlingException", "Throttling",
            "RequestLimitExceeded", "TooManyRequestsException", "SlowDown");

    private final String name;
    private final KinesisDestinationConfig config;
    private final DestinationLimits limits;
    private final SizeLimitedPacker packer;
    private final AwsCredentialsProvider credentialsOverride;
    private volatile KinesisAsyncClient client;
    private SdkAsyncHttpClient httpClient;
    private Logger log = LoggerFactory.getLogger(KinesisDestination.class);
    private Metrics.Distribution samplesPerRecord;
    private Metrics.Distribution recordBytes;
    private Metrics.Counter heldBackByBudget;
    private ShardBudget budget;
    private volatile ShardMap shardMap;
    private ScheduledExecutorService scheduler;
    private final AtomicBoolean listing = new AtomicBoolean();
    private volatile long nextShardRefresh;
    private volatile boolean listFailing;
    private volatile long lastShardList;
    private final Set<CompletableFuture<List<PacketOutcome>>> held = ConcurrentHashMap.newKeySet();

    public KinesisDestination(String name, KinesisDestinationConfig config) {
        this(name, config, null);
    }

    /** With fixed credentials instead of the default provider chain (tests, benchmarks). */
    public KinesisDestination(String name, KinesisDestinationConfig config, AwsCredentialsProvider credentials) {
        this.name = name;
        this.config = config;
        this.credentialsOverride = credentials;
        this.limits = limits(config);
        this.packer = packer(config);
        this.shardMap = ShardMap.even(config.shardCount());
    }

    /** Packs one partition key's samples into as few records as fit the record size limit. */
    private static SizeLimitedPacker packer(KinesisDestinationConfig c) {
        if (c.recordFormat() == KinesisDestinationConfig.RecordFormat.JSONL) {
            return new SizeLimitedPacker((samples, from, to) -> SampleRecordFormat.encodeJsonl(samples, from, to), 260,
                    "sample line is %d bytes, more than the record size limit of %d bytes"
                            + " (max-record-size minus the partition key)");
        }
        int gzipLevel = c.compression() == KinesisDestinationConfig.Compression.GZIP ? c.compressionLevel() : 0;
        return new SizeLimitedPacker((samples, from, to) -> SampleRecordFormat.encode(samples, from, to, gzipLevel),
                gzipLevel > 0 ? 12 : 120, "packed sample is %d bytes, more than the record size limit of %d bytes"
                        + " (max-record-size minus the partition key)");
    }

    static DestinationLimits limits(KinesisDestinationConfig c) {
        return new DestinationLimits(c.maxRecordsPerRequest(), c.maxRequestSize().bytes(), c.maxRecordSize().bytes(),
                c.windowSamples(), new RateLimits(0, SHARD_RECORDS_PER_SECOND * c.shardCount(),
                SHARD_BYTES_PER_SECOND * c.shardCount()), DEFAULT_CALLS_IN_FLIGHT);
    }

    @Override
    public DestinationLimits limits() {
        return limits;
    }

    @Override
    public void start(DestinationContext context) {
        log = context.logger();
        samplesPerRecord = context.metrics().distribution("kinesis.samples.per.record");
        recordBytes = context.metrics().distribution("kinesis.record.bytes");
        heldBackByBudget = context.metrics().counter("kinesis.shard.throttled-by-budget");
        connect();
        ShardBudget b = budget;
        context.metrics().gauge("kinesis.shard.hot-keys", b::hotKeys);
        context.metrics().gauge("kinesis.shards", () -> shardMap.shardCount());
    }

    /** Builds the SDK client; no network traffic happens until the first send. */
    void connect() {
        if (client != null) return;
        // HTTP/1.1: PutRecords gains nothing from HTTP/2 (which the SDK picks for Kinesis because of SubscribeToShard),
        // and HTTP/1.1 keeps large requests off one flow-controlled connection.
        httpClient = NettyNioAsyncHttpClient.builder()
                .protocol(Protocol.HTTP1_1)
                .maxConcurrency(16)
                .connectionTimeout(java.time.Duration.ofSeconds(10))
                .build();
        KinesisAsyncClientBuilder b = KinesisAsyncClient.builder()
                .httpClient(httpClient)
                .credentialsProvider(credentialsOverride != null ? credentialsOverride
                        : DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(config.requestTimeout()));
        config.region().ifPresent(r -> b.region(Region.of(r)));
        config.endpointOverride().ifPresent(e -> b.endpointOverride(URI.create(e)));
        try {
            client = b.build();
        } catch (SdkException e) {
            httpClient.close();
            throw new SluiceException("kinesis destination '" + name + "': cannot create the Kinesis client ("
                    + e.getMessage() + "); set region: in its config or AWS_REGION", false, e);
        }
        budget = new ShardBudget(config.streamName(), (long) SHARD_BYTES_PER_SECOND, (long) SHARD_RECORDS_PER_SECOND,
                BUDGET_WINDOW.toNanos(), HOT_KEY_SHARE, HOT_KEY_SECONDS, System::nanoTime, log);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kinesis-" + name + "-budget");
            t.setDaemon(true);
            return t;
        });
        refreshShards();
        log.info("kinesis destination '{}': stream {} in {}{}", name, config.streamName(),
                config.region().orElse("the default region"), config.endpointOverride().map(e -> " via " + e).orElse(""));
    }

    /** The partition key of one sample: the template rendered, '_' for missing parts, at most 256 characters. */
    String partitionKey(OutboundSample s) {
        String key = config.partitionKey().render(s::placeholder, "_");
        if (key.isEmpty()) return "_";
        if (key.length() > MAX_PARTITION_KEY_CHARS) {
            int end = MAX_PARTITION_KEY_CHARS;
            if (Character.isHighSurrogate(key.charAt(end - 1))) end--;
            key = key.substring(0, end);
        }
        return key;
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        Map<String, List<OutboundSample>> byKey = new LinkedHashMap<>();
        for (OutboundSample s : samples) {
            byKey.computeIfAbsent(partitionKey(s), k -> new ArrayList<>()).add(s);
        }
        List<Packet> packets = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        for (Map.Entry<String, List<OutboundSample>> group : byKey.entrySet()) {
            String key = group.getKey();
            List<OutboundSample> list = group.getValue();
            int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
            long budget = Math.min(limits.maxPacketBytes(), limits.maxBytesPerCall()) - keyBytes;
            packer.pack(list, budget, chunk -> {
                PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder()
                        .partitionKey(key).data(SdkBytes.fromByteArrayUnsafe(chunk.data())).build();
                packets.add(new Packet(key, chunk.data().length + keyBytes, list.subList(chunk.from(), chunk.to()), entry));
                if (samplesPerRecord != null) {
                    samplesPerRecord.record(chunk.to() - chunk.from());
                    recordBytes.record(chunk.data().length);
                }
            }, rejected);
        }
        return new PackResult(packets, rejected);
    }

    /**
     * Sends packets in one or more {@code PutRecords} calls, one after the other: the packets are cut into chunks that
     * put at most one shard quota on any shard, and each chunk waits for its shards' budget ({@link ShardBudget}).
     * Order is kept: chunks go in the given order, the publisher never has two packets of one key in flight, and a
     * chunk is sent only after the one before it was answered. When a later chunk fails as a whole, the packets
     * already answered keep their outcomes and the rest are retried, so nothing delivered is sent twice.
     */
    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        CompletableFuture<List<PacketOutcome>> result = new CompletableFuture<>();
        if (packets.isEmpty()) {
            result.complete(List.of());
            return result;
        }
        KinesisAsyncClient c = client;
        if (c == null) {
            // closed (a stop racing the publisher) or never started: the destination's state, never the data's
            result.completeExceptionally(SluiceException.retryable("kinesis destination '" + name + "' is not started", null));
            return result;
        }
        maybeRefreshShards(false);
        ShardMap map = shardMap;
        String[] shards = new String[packets.size()];
        List<Integer> indices = new ArrayList<>(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            shards[i] = map.shardOf(packets.get(i).orderingKey());
            indices.add(i);
        }
        List<List<Integer>> chunks = ShardBudget.chunks(indices, i -> shards[i], i -> packets.get(i).sizeBytes(),
                (long) SHARD_BYTES_PER_SECOND, (long) SHARD_RECORDS_PER_SECOND);
        sendChunk(c, packets, shards, chunks, 0, new ArrayList<>(packets.size()), result);
        return result;
    }

    private void sendChunk(KinesisAsyncClient c, List<Packet> packets, String[] shards, List<List<Integer>> chunks,
                           int index, List<PacketOutcome> outcomes, CompletableFuture<List<PacketOutcome>> result) {
        List<Integer> chunk = chunks.get(index);
        List<ShardBudget.Need> needs = new ArrayList<>(chunk.size());
        for (int i : chunk) {
            Packet p = packets.get(i);
            needs.add(new ShardBudget.Need(shards[i], p.orderingKey(), p.sizeBytes(), 1));
        }
        held.add(result);
        ShardBudget.Reservation reservation = budget.reserve(needs, () -> {
            if (held.remove(result)) sendChunk(c, packets, shards, chunks, index, outcomes, result);
        });
        if (reservation == null) {
            // waits for the answer to a call in flight on one of its shards (close() fails it if none comes)
            if (heldBackByBudget != null) heldBackByBudget.increment(chunk.size());
            return;
        }
        held.remove(result);
        Runnable send = () -> putChunk(c, packets, shards, chunks, index, outcomes, result, reservation);
        long delay = reservation.atNanos() - System.nanoTime();
        if (!reservation.heldBack() || delay <= 0) {
            send.run();
            return;
        }
        if (heldBackByBudget != null) heldBackByBudget.increment(chunk.size());
        held.add(result);
        try {
            scheduler.schedule(() -> {
                if (held.remove(result)) send.run();
            }, delay, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            held.remove(result);
            budget.answered(reservation);
            finishEarly(packets.size(), outcomes, SluiceException.retryable("kinesis destination '" + name
                    + "' is not started", e), result);
        }
    }

    private void putChunk(KinesisAsyncClient c, List<Packet> packets, String[] shards, List<List<Integer>> chunks,
                          int index, List<PacketOutcome> outcomes, CompletableFuture<List<PacketOutcome>> result,
                          ShardBudget.Reservation reservation) {
        List<Integer> chunk = chunks.get(index);
        List<PutRecordsRequestEntry> entries = new ArrayList<>(chunk.size());
        for (int i : chunk) entries.add((PutRecordsRequestEntry) packets.get(i).body());
        PutRecordsRequest request = PutRecordsRequest.builder().streamName(config.streamName()).records(entries).build();
        CompletableFuture<PutRecordsResponse> call;
        try {
            call = c.putRecords(request);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            budget.answered(reservation);
            try {
                if (error != null) {
                    maybeRefreshShards(true);
                    CompletableFuture<List<PacketOutcome>> failed = new CompletableFuture<>();
                    handleCallFailure(unwrap(error), chunk.size(), failed);
                    if (failed.isCompletedExceptionally()) {
                        finishEarly(packets.size(), outcomes, unwrap(failed.handle((v, t) -> t).join()), result);
                    } else {
                        PacketOutcome throttled = failed.join().get(0);
                        while (outcomes.size() < packets.size()) outcomes.add(throttled);
                        result.complete(outcomes);
                    }
                    return;
                }
                List<PacketOutcome> answered = outcomes(response, chunk.size());
                outcomes.addAll(answered);
                for (PacketOutcome o : answered) {
                    if (o instanceof PacketOutcome.Retry r && r.throttled()) {
                        // throttled although within the budget: the shard map may be stale (a resharding)
                        maybeRefreshShards(true);
                        break;
                    }
                }
                if (index + 1 < chunks.size()) {
                    sendChunk(c, packets, shards, chunks, index + 1, outcomes, result);
                } else {
                    result.complete(outcomes);
                }
            } catch (RuntimeException e) {
                finishEarly(packets.size(), outcomes, e, result);
            }
        });
    }

    /**
     * A chunk failed as a whole: before anything was answered the call fails as a whole; after, the answered packets
     * keep their outcomes and every other one is retried with the failure as reason.
     */
    private static void finishEarly(int total, List<PacketOutcome> outcomes, Throwable failure,
                                    CompletableFuture<List<PacketOutcome>> result) {
        if (outcomes.isEmpty()) {
            result.completeExceptionally(failure);
            return;
        }
        PacketOutcome retry = PacketOutcome.retry(failure.getMessage());
        while (outcomes.size() < total) outcomes.add(retry);
        result.complete(outcomes);
    }

    /** Lists the stream's open shards now and then (and sooner after errors that may mean a resharding). */
    private void maybeRefreshShards(boolean urgent) {
        long now = System.nanoTime();
        if (urgent ? now - lastShardList >= SHARD_REFRESH_MIN.toNanos() : now - nextShardRefresh >= 0) {
            refreshShards();
        }
    }

    /**
     * {@code ListShards} (all pages), then the open shards become the shard map. Until the first answer, and while it
     * fails (e.g. no {@code kinesis:ListShards} permission), the map is {@code shard-count} equal ranges.
     */
    void refreshShards() {
        KinesisAsyncClient c = client;
        if (c == null || !listing.compareAndSet(false, true)) return;
        long now = System.nanoTime();
        lastShardList = now;
        nextShardRefresh = now + SHARD_REFRESH.toNanos();
        CompletableFuture<List<ShardMap.Range>> listed;
        try {
            listed = listShards(c, null, new ArrayList<>());
        } catch (RuntimeException e) {
            listed = CompletableFuture.failedFuture(e);
        }
        listed.whenComplete((ranges, error) -> {
            listing.set(false);
            if (error != null) {
                nextShardRefresh = System.nanoTime() + SHARD_REFRESH_MIN.toNanos();
                Throwable t = unwrap(error);
                if (!listFailing) {
                    listFailing = true;
                    String what = t instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                            && aws.awsErrorDetails().errorCode() != null
                            ? aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage()
                            : t.getClass().getSimpleName() + ": " + t.getMessage();
                    log.warn("kinesis destination '{}': cannot list the shards of stream {} ({}{}); until it can, the"
                            + " per-shard budget assumes shard-count ({}) equal shards", name, config.streamName(), what,
                            what.startsWith("AccessDenied") ? "; allow kinesis:ListShards" : "", config.shardCount());
                }
                return;
            }
            if (ranges.isEmpty()) return;
            ShardMap old = shardMap;
            ShardMap fresh = ShardMap.of(ranges);
            shardMap = fresh;
            if (listFailing) listFailing = false;
            if (!old.listed() || !old.ranges().equals(fresh.ranges())) {
                log.info("kinesis destination '{}': stream {} has {} open shards{}", name, config.streamName(),
                        fresh.shardCount(), fresh.shardCount() != config.shardCount()
                                ? " (shard-count is " + config.shardCount() + "; the default rates use shard-count)" : "");
            }
        });
    }

    private CompletableFuture<List<ShardMap.Range>> listShards(KinesisAsyncClient c, String token, List<ShardMap.Range> into) {
        return c.listShards(b -> {
            if (token != null) b.nextToken(token);
            else b.streamName(config.streamName());
        }).thenCompose(response -> {
            for (Shard s : response.shards()) {
                if (s.sequenceNumberRange() != null && s.sequenceNumberRange().endingSequenceNumber() != null) continue;
                into.add(new ShardMap.Range(s.shardId(), new BigInteger(s.hashKeyRange().startingHashKey()),
                        new BigInteger(s.hashKeyRange().endingHashKey())));
            }
            String next = response.nextToken();
            return next == null || next.isEmpty() ? CompletableFuture.completedFuture(into) : listShards(c, next, into);
        });
    }

    /** The shard map in use (ListShards' answer, or shard-count equal ranges before it). */
    ShardMap shardMap() {
        return shardMap;
    }

    ShardBudget budget() {
        return budget;
    }

    /**
     * The probe of {@code sluice destinations test}: {@code DescribeStreamSummary} of the stream (it exists and is
     * ACTIVE). Needs {@code kinesis:DescribeStreamSummary}; an identity allowed only {@code PutRecords} gets an
     * access-denied verdict that says so.
     */
    @Override
    public CompletableFuture<String> probeAsync() {
        KinesisAsyncClient c = client;
        if (c == null) return CompletableFuture.failedFuture(SluiceException.retryable("kinesis destination '" + name + "' is not started", null));
        CompletableFuture<software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse> call;
        try {
            call = c.describeStreamSummary(b -> b.streamName(config.streamName()));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, error) -> {
            if (error != null) {
                Throwable t = unwrap(error);
                String what = t instanceof AwsServiceException aws && aws.awsErrorDetails() != null && aws.awsErrorDetails().errorCode() != null
                        ? aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage()
                        : t.getClass().getSimpleName() + ": " + t.getMessage();
                String hint = what.startsWith("AccessDenied") ? " (the probe needs kinesis:DescribeStreamSummary on the stream)" : "";
                throw new CompletionException(SluiceException.retryable("DescribeStreamSummary of stream " + config.streamName()
                        + " failed: " + what + hint, t));
            }
            var summary = response.streamDescriptionSummary();
            String status = String.valueOf(summary.streamStatusAsString());
            if (!"ACTIVE".equals(status) && !"UPDATING".equals(status)) {
                throw new CompletionException(SluiceException.retryable("stream " + config.streamName() + " is " + status
                        + ", not ACTIVE", null));
            }
            return "stream " + config.streamName() + " " + status + ", " + summary.openShardCount() + " open shards"
                    + config.endpointOverride().map(e -> " at " + e).orElse("");
        });
    }

    /** One outcome per request entry, from the response's result entries (same order as the request). */
    static List<PacketOutcome> outcomes(PutRecordsResponse response, int expected) {
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != expected) {
            throw SluiceException.retryable("PutRecords answered " + results.size() + " result entries for "
                    + expected + " records", null);
        }
        List<PacketOutcome> out = new ArrayList<>(expected);
        for (PutRecordsResultEntry r : results) {
            String code = r.errorCode();
            if (code == null || code.isEmpty()) {
                out.add(r.shardId() == null ? PacketOutcome.DELIVERED : PacketOutcome.delivered(
                        Receipt.of("kinesis", "shard-id", r.shardId(), "sequence-number", String.valueOf(r.sequenceNumber()))));
            } else if (THROTTLING_CODES.contains(code)) {
                out.add(PacketOutcome.throttled(code + ": " + r.errorMessage()));
            } else {
                out.add(PacketOutcome.retry(code + ": " + r.errorMessage()));
            }
        }
        return out;
    }

    void handleCallFailure(Throwable error, int packetCount, CompletableFuture<List<PacketOutcome>> result) {
        if (error instanceof AwsServiceException aws) {
            String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
            if (aws.isThrottlingException() || (code != null && THROTTLING_CODES.contains(code))) {
                // The whole call was throttled: every record may be retried, and the publisher should slow down.
                PacketOutcome throttled = PacketOutcome.throttled(code + ": " + aws.awsErrorDetails().errorMessage());
                List<PacketOutcome> all = new ArrayList<>(packetCount);
                for (int i = 0; i < packetCount; i++) all.add(throttled);
                result.complete(all);
                return;
            }
            // Never the data's fault: the packer keeps every record and request within max-record-size and
            // max-request-size, so an invalid request means those limits (or the stream) are set wrong. Like a missing
            // stream, access denied, KMS key problems, a wrong endpoint (404 without an AWS error type) or 5xx, an
            // operator or the service fixes it: keep the data, back off.
            String detail = aws.awsErrorDetails() == null || aws.awsErrorDetails().errorMessage() == null
                    ? aws.getMessage() : aws.awsErrorDetails().errorMessage();
            String what = code != null ? code + ": " + detail
                    : "HTTP " + aws.statusCode() + " without an AWS error type" + (config.endpointOverride().isPresent()
                    ? " (is endpoint-override " + config.endpointOverride().get() + " a Kinesis endpoint?)" : "");
            String hint = aws instanceof InvalidArgumentException
                    ? " (check max-record-size, max-request-size and max-records-per-request against the stream)" : "";
            result.completeExceptionally(SluiceException.retryable("PutRecords to " + config.streamName() + " failed: "
                    + what + hint, aws));
            return;
        }
        if (error instanceof SluiceException se) {
            result.completeExceptionally(se);
            return;
        }
        result.completeExceptionally(SluiceException.retryable("PutRecords to " + config.streamName() + " failed: "
                + error.getClass().getSimpleName() + ": " + error.getMessage(), error));
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    public KinesisDestinationConfig config() {
        return config;
    }

    @Override
    public void close() {
        KinesisAsyncClient c = client;
        client = null;
        if (scheduler != null) scheduler.shutdownNow();
        for (CompletableFuture<List<PacketOutcome>> f : held) {
            if (held.remove(f)) f.completeExceptionally(SluiceException.retryable("kinesis destination '" + name + "' is closed", null));
        }
        if (c != null) c.close();
        if (httpClient != null) httpClient.close();
    }
}
