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
import io.sluice.spi.destination.Rejection;
import io.sluice.spi.metrics.Metrics;
import java.net.URI;
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

/**
 * Exports samples to a Kinesis data stream. {@link #pack} groups samples by partition key and packs each group
 * into as few records as fit {@code max-record-size} ({@link SampleRecordFormat}); {@link #sendAsync} sends up to
 * 500 records in one {@code PutRecords} call and maps each result entry to an outcome: accepted, throttled
 * ({@code ProvisionedThroughputExceededException}, {@code KMSThrottlingException}) or retry (anything else, e.g.
 * {@code InternalFailure}). The publisher resends only the records that failed. No service answer dead-letters data:
 * a failed call (even {@code InvalidArgumentException}, which can only mean limits configured above the stream's) is
 * retryable; only a sample too large for any record is rejected, at pack time.
 */
public final class KinesisDestination implements Destination, io.sluice.spi.destination.DestinationProbe {

    /** One shard's write quota: 1,000 records/s and 1 MiB/s. */
    public static final double SHARD_RECORDS_PER_SECOND = 1000;
    public static final double SHARD_BYTES_PER_SECOND = 1024 * 1024;
    static final int MAX_PARTITION_KEY_CHARS = 256;
    /** PutRecords calls in flight at once unless {@code max-in-flight} says otherwise (the HTTP client allows 16). */
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
    }

    /** Packs one partition key's samples into as few records as fit the record size limit. */
    private static SizeLimitedPacker packer(KinesisDestinationConfig c) {
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
        connect();
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
        List<PutRecordsRequestEntry> entries = new ArrayList<>(packets.size());
        for (Packet p : packets) entries.add((PutRecordsRequestEntry) p.body());
        PutRecordsRequest request = PutRecordsRequest.builder().streamName(config.streamName()).records(entries).build();
        CompletableFuture<PutRecordsResponse> call;
        try {
            call = c.putRecords(request);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            try {
                if (error != null) {
                    handleCallFailure(unwrap(error), packets.size(), result);
                } else {
                    result.complete(outcomes(response, packets.size()));
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
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
                out.add(PacketOutcome.DELIVERED);
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
        if (c != null) c.close();
        if (httpClient != null) httpClient.close();
    }
}
