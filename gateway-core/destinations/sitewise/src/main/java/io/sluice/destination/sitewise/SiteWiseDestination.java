package io.sluice.destination.sitewise;

import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.DestinationProbe;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.Receipt;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Rejection;
import io.sluice.spi.metrics.Metrics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iotsitewise.IoTSiteWiseClient;
import software.amazon.awssdk.services.iotsitewise.IoTSiteWiseClientBuilder;
import software.amazon.awssdk.services.iotsitewise.model.AssetPropertyValue;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyError;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyErrorEntry;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyValueRequest;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyValueResponse;
import software.amazon.awssdk.services.iotsitewise.model.PutAssetPropertyValueEntry;
import software.amazon.awssdk.services.iotsitewise.model.RawValueType;

/**
 * Exports samples to AWS IoT SiteWise with {@code BatchPutAssetPropertyValue}.
 *
 * <p>One packet is one entry: up to {@code max-values-per-entry} TQVs of one property, its ordering key the property
 * alias (or {@code assetId/propertyId}), so the publisher keeps per-property order. One call carries up to
 * {@code max-entries-per-request} entries, with {@code enablePartialEntryProcessing} false. A BAD or UNCERTAIN sample
 * without a value becomes a {@code nullValue} of the property's type (see {@link SiteWiseValues}). Samples that can never be accepted (type without a SiteWise variant, value
 * out of range, no property mapping) are rejected at pack time with the reason; samples outside the service's window
 * ({@link SiteWiseDestinationFactory#serviceWindow()}, or a narrower {@code max-age} / {@code max-ahead}) never reach
 * {@link #pack}: the publisher refuses them before packing, as age rejections.
 *
 * <p>Outcomes of a call. Only a definite rejection of the data dead-letters it; every other error is a fault of the
 * destination (its endpoint, credentials, permissions, quotas, the service) that an operator or time fixes, so the
 * data waits in the store and the publisher backs off and reports it once per episode:
 * <ul>
 *   <li>an entry without an error entry is delivered;</li>
 *   <li>entry errors {@code InvalidRequestException} and {@code TimestampOutOfRangeException} reject the entry with
 *       "code: message" (dead letter); an entry refused only for its timestamps is an age rejection, rerouted to the
 *       {@code fallback} destination when one is set (the service's clock or window differed from the gateway's);</li>
 *   <li>{@code ThrottlingException} entries are retried as throttled; every other code ({@code LimitExceededException},
 *       an exhausted resource quota, not a rate; {@code ResourceNotFoundException}, {@code ConflictingOperationException},
 *       {@code AccessDeniedException}, {@code InternalFailureException}, {@code ServiceUnavailableException}, a code
 *       not known today) is retried;</li>
 *   <li>a whole call answered 400 {@code InvalidRequestException} (or {@code ValidationException}) rejects its entries;
 *       a throttled call (429) retries every entry as throttled; a call answered 410 {@code LimitExceededException}
 *       (a resource quota) fails as retryable without slowing the rate; anything else (a 404 without an AWS error type from
 *       a wrong endpoint, 401/403, 404 {@code ResourceNotFoundException}, 409, 5xx, timeouts, TLS and connection
 *       errors, missing credentials) fails the call as retryable.</li>
 * </ul>
  */
public final class SiteWiseDestination implements Destination, DestinationProbe {

    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(SiteWiseDestination.class);

    /** Entry error codes that reject the data itself: the entry goes to the dead-letter stream. */
    static final Set<String> DATA_REJECTED = Set.of("InvalidRequestException", "TimestampOutOfRangeException");

    /** The entry error code of timestamps outside the service's window: an age rejection, rerouted to a fallback. */
    static final String TIMESTAMP_REJECTED = "TimestampOutOfRangeException";

    /** Entry error codes that ask the caller to slow down. */
    static final Set<String> THROTTLING = Set.of("ThrottlingException");

    /**
     * The error code of an exhausted resource quota (410 for a whole call): not a request rate, so it does not slow
     * the publisher down; the data waits and is retried with the publisher's backoff (up to {@code max-backoff}).
     */
    static final String QUOTA = "LimitExceededException";

    /** Whole-call error codes that say the request's data is invalid. */
    static final Set<String> CALL_REJECTED = Set.of("InvalidRequestException", "ValidationException");

    /** Default rates; override them with the destination's {@code rate} keys to match the account's quotas. */
    public static final RateLimits DEFAULT_RATES = new RateLimits(1000, 10_000, 0);
    /** BatchPutAssetPropertyValue calls in flight at once unless {@code max-calls-in-flight} says otherwise. */
    static final int DEFAULT_CALLS_IN_FLIGHT = 16;

    private final String name;
    private final SiteWiseDestinationConfig config;
    private final DestinationLimits limits;
    private volatile Logger log = DEFAULT_LOG;
    private ExecutorService executor;
    private volatile IoTSiteWiseClient client;
    private final Object clientLock = new Object();
    /** The nullValue type of each property, from the last value packed for it (what a sample without value gets). */
    private final Map<String, RawValueType> propertyTypes = new ConcurrentHashMap<>();
    private Counters counters = Counters.NONE;

    public SiteWiseDestination(String name, SiteWiseDestinationConfig config) {
        this.name = name;
        this.config = config;
        this.limits = new DestinationLimits(config.maxEntriesPerRequest(), 1024 * 1024, 128 * 1024,
                config.windowSamples(), DEFAULT_RATES, DEFAULT_CALLS_IN_FLIGHT);
    }

    @Override
    public DestinationLimits limits() {
        return limits;
    }

    @Override
    public void start(DestinationContext context) {
        log = context.logger();
        counters = new Counters(context.metrics());
        executor();
    }

    private synchronized ExecutorService executor() {
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "sitewise-" + name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    // ---- packing --------------------------------------------------------------------------------------------

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        Map<String, Property> byKey = new LinkedHashMap<>();
        List<Rejection> rejected = new ArrayList<>();
        for (OutboundSample s : samples) {
            try {
                Property property = property(s, byKey);
                if (SiteWiseValues.hasNoValue(s.sample())) {
                    property.add(s, null, SiteWiseValues.estimateBytes(s.sample().value()));
                } else {
                    AssetPropertyValue tqv = SiteWiseValues.tqv(s.sample());
                    property.type = SiteWiseValues.rawType(tqv.value());
                    property.add(s, tqv, SiteWiseValues.estimateBytes(s.sample().value()));
                }
            } catch (SiteWiseValues.Unsendable e) {
                rejected.add(new Rejection(s, e.getMessage()));
            }
        }
        List<Packet> packets = new ArrayList<>();
        for (Property p : byKey.values()) {
            if (p.type != null) {
                propertyTypes.put(p.key, p.type);
            }
            p.packets(config.maxValuesPerEntry(), packets);
        }
        if (!rejected.isEmpty()) {
            counters.rejectedAtPack.increment(rejected.size());
        }
        return new PackResult(packets, rejected);
    }

    private Property property(OutboundSample s, Map<String, Property> byKey) throws SiteWiseValues.Unsendable {
        List<String> missing = new ArrayList<>(1);
        String alias = config.propertyAlias().render(p -> {
            String v = s.placeholder(p);
            if (v == null || v.isEmpty()) missing.add(p);
            return v;
        }, "");
        if (!missing.isEmpty()) {
            throw new SiteWiseValues.Unsendable("property-alias template " + config.propertyAlias() + " needs "
                    + String.join(", ", missing) + ", which the sample's asset context lacks");
        }
        Property known = byKey.get(alias);
        if (known != null) return known;
        SiteWiseValues.checkAlias(alias);
        Property property;
        if (config.addressing() == SiteWiseDestinationConfig.Addressing.IDS) {
            SiteWiseDestinationConfig.PropertyIds ids = config.properties().get(alias);
            if (ids == null) {
                throw new SiteWiseValues.Unsendable("no asset-id/property-id mapping for '" + alias + "' under properties");
            }
            String key = ids.assetId() + "/" + ids.propertyId();
            property = new Property(key, PutAssetPropertyValueEntry.builder().assetId(ids.assetId()).propertyId(ids.propertyId()),
                    alias.length(), propertyTypes.get(key));
        } else {
            property = new Property(alias, PutAssetPropertyValueEntry.builder().propertyAlias(alias), alias.length(),
                    propertyTypes.get(alias));
        }
        byKey.put(alias, property);
        return property;
    }

    /** The samples of one property within a pack call. */
    private static final class Property {
        final String key;
        final PutAssetPropertyValueEntry.Builder template;
        final int overhead;
        /** The type of the property's last value (this call or an earlier one); null while unknown. */
        RawValueType type;
        final List<OutboundSample> samples = new ArrayList<>();
        final List<AssetPropertyValue> values = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();

        Property(String key, PutAssetPropertyValueEntry.Builder template, int nameLength, RawValueType type) {
            this.key = key;
            this.template = template;
            this.overhead = 64 + nameLength;
            this.type = type;
        }

        void add(OutboundSample s, AssetPropertyValue v, int size) {
            samples.add(s);
            values.add(v);
            sizes.add(size);
        }

        /** Null values are samples without a value: they become nullValues of the type known once all are added. */
        void packets(int perEntry, List<Packet> out) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) == null) values.set(i, SiteWiseValues.nullTqv(samples.get(i).sample(), type));
            }
            for (int from = 0; from < samples.size(); from += perEntry) {
                int to = Math.min(samples.size(), from + perEntry);
                long bytes = overhead;
                for (int i = from; i < to; i++) bytes += sizes.get(i);
                PutAssetPropertyValueEntry entry = template.copy().propertyValues(values.subList(from, to)).build();
                out.add(new Packet(key, bytes, samples.subList(from, to), entry));
            }
        }
    }

    // ---- sending --------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        if (packets.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (packets.size() > config.maxEntriesPerRequest()) {
            return CompletableFuture.failedFuture(SluiceException.permanent(
                    packets.size() + " entries in one call; at most " + config.maxEntriesPerRequest() + " allowed"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> call(packets), executor());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(SluiceException.retryable("destination " + name + " is closed", e));
        }
    }

    private List<PacketOutcome> call(List<Packet> packets) {
        List<PutAssetPropertyValueEntry> entries = new ArrayList<>(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            PutAssetPropertyValueEntry body = (PutAssetPropertyValueEntry) packets.get(i).body();
            entries.add(body.toBuilder().entryId(Integer.toString(i)).build());
        }
        // false (the service's default, sent explicitly): one invalid TQV fails its whole entry, so an entry is
        // delivered or not as a whole, which is what one packet outcome can say
        BatchPutAssetPropertyValueRequest request = BatchPutAssetPropertyValueRequest.builder()
                .enablePartialEntryProcessing(false)
                .entries(entries)
                .build();
        counters.requests.increment();
        BatchPutAssetPropertyValueResponse response;
        try {
            response = client().batchPutAssetPropertyValue(request);
        } catch (AwsServiceException e) {
            return wholeCallFailed(packets, e);
        } catch (SdkException e) {
            counters.failedCalls.increment();
            throw SluiceException.retryable("SiteWise call failed: " + e.getMessage(), e);
        } catch (SluiceException e) {
            counters.failedCalls.increment();
            throw e;
        } catch (RuntimeException e) {
            // the HTTP client can surface a broken connection as UncheckedIOException rather than an SdkException
            counters.failedCalls.increment();
            throw SluiceException.retryable("SiteWise call failed: " + e, e);
        }
        return outcomes(packets, response.errorEntries(),
                response.responseMetadata() == null ? null : response.responseMetadata().requestId());
    }

    /** Maps the error entries of a response to one outcome per packet. */
    List<PacketOutcome> outcomes(List<Packet> packets, List<BatchPutAssetPropertyErrorEntry> errorEntries) {
        return outcomes(packets, errorEntries, null);
    }

    /**
     * Maps the error entries of a response to one outcome per packet; an accepted entry's receipt is its entry id in
     * the call, its property and the request id of the call (when the service sent one).
     */
    List<PacketOutcome> outcomes(List<Packet> packets, List<BatchPutAssetPropertyErrorEntry> errorEntries, String requestId) {
        Map<String, BatchPutAssetPropertyErrorEntry> byId = new HashMap<>();
        for (BatchPutAssetPropertyErrorEntry e : errorEntries) {
            byId.put(e.entryId(), e);
        }
        List<PacketOutcome> outcomes = new ArrayList<>(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            BatchPutAssetPropertyErrorEntry error = byId.remove(Integer.toString(i));
            Packet packet = packets.get(i);
            if (error == null) {
                Map<String, String> receipt = new java.util.LinkedHashMap<>();
                receipt.put("status", "accepted");
                receipt.put("entry-id", Integer.toString(i));
                receipt.put("property", packet.orderingKey());
                if (requestId != null && !requestId.isEmpty() && !requestId.equals("UNKNOWN")) receipt.put("request-id", requestId);
                outcomes.add(PacketOutcome.delivered(new Receipt("sitewise", receipt)));
                counters.entriesDelivered.increment();
                counters.valuesDelivered.increment(packet.samples().size());
            } else {
                outcomes.add(outcome(packet.orderingKey(), error.errors()));
            }
        }
        if (!byId.isEmpty()) {
            log.warn("SiteWise destination {}: response named unknown entries {}; ignored", name, byId.keySet());
        }
        return outcomes;
    }

    private PacketOutcome outcome(String property, List<BatchPutAssetPropertyError> errors) {
        StringBuilder reason = new StringBuilder();
        boolean rejected = false;
        boolean onlyTimestamps = !errors.isEmpty();
        boolean throttled = false;
        for (BatchPutAssetPropertyError e : errors) {
            String code = e.errorCodeAsString();
            counters.entryError(code);
            rejected |= DATA_REJECTED.contains(code);
            onlyTimestamps &= TIMESTAMP_REJECTED.equals(code);
            throttled |= THROTTLING.contains(code); // a quota (LimitExceededException) is retried, not throttled
            if (reason.length() > 0) reason.append("; ");
            reason.append(code).append(": ").append(e.errorMessage());
        }
        if (errors.isEmpty()) {
            reason.append("SiteWise reported an error entry without errors");
        }
        String text = reason.toString();
        if (rejected) {
            log.debug("SiteWise destination {}: entry for {} rejected: {}", name, property, text);
            return onlyTimestamps ? PacketOutcome.rejectForAge(text) : PacketOutcome.reject(text);
        }
        return throttled ? PacketOutcome.throttled(text) : PacketOutcome.retry(text);
    }

    List<PacketOutcome> wholeCallFailed(List<Packet> packets, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String reason = (code == null ? "HTTP " + status + " without an AWS error type" : code)
                + (message == null || message.isBlank() ? "" : ": " + message);
        if (status == 410 || QUOTA.equals(code)) {
            // an exhausted resource quota: slowing down does not help, raising the quota or freeing resources does;
            // the data waits and the call is retried with the publisher's backoff, one WARN per episode
            counters.quotaCalls.increment();
            throw SluiceException.retryable("SiteWise call failed: " + reason + " (a resource quota of the account "
                    + "is exhausted, not a request rate: raise the quota or free resources; the data waits)", e);
        }
        if (status == 429 || e.isThrottlingException() || (code != null && THROTTLING.contains(code))) {
            counters.throttledCalls.increment();
            return packets.stream().map(p -> PacketOutcome.throttled(reason)).toList();
        }
        if (status == 400 && code != null && CALL_REJECTED.contains(code)) {
            counters.rejectedCalls.increment();
            return packets.stream().map(p -> PacketOutcome.reject(reason)).toList();
        }
        // a wrong endpoint, credentials or permissions, a conflict, an outage: the data waits in the store
        counters.failedCalls.increment();
        throw SluiceException.retryable("SiteWise call failed: " + reason + hint(status, code), e);
    }

    private String hint(int status, String code) {
        if (code == null && status == 404) {
            return " (is endpoint-override " + config.endpointOverride().orElse("") + " a SiteWise data endpoint?)";
        }
        if (status == 401 || status == 403) {
            return " (check the credentials and IAM permission iotsitewise:BatchPutAssetPropertyValue)";
        }
        return "";
    }

    /**
     * One {@code DescribeDefaultEncryptionConfiguration} call: it sends no samples and needs no resource, so it checks
     * what every delivery needs (endpoint, region, credentials, a signed call the service accepts).
     */
    @Override
    public CompletableFuture<String> probeAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                var r = client().describeDefaultEncryptionConfiguration(b -> { });
                return "SiteWise answers" + config.region().map(x -> " in " + x).orElse("")
                        + config.endpointOverride().map(e -> " at " + e).orElse("") + " (account encryption "
                        + r.encryptionTypeAsString() + ")";
            } catch (AwsServiceException e) {
                String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
                String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
                String hint = e.statusCode() == 401 || e.statusCode() == 403
                        ? " (check the credentials; the probe needs iotsitewise:DescribeDefaultEncryptionConfiguration)"
                        : code == null && e.statusCode() == 404 ? " (is endpoint-override " + config.endpointOverride().orElse("") + " SiteWise?)" : "";
                throw SluiceException.retryable("DescribeDefaultEncryptionConfiguration failed: "
                        + (code == null ? "HTTP " + e.statusCode() : code) + (message == null || message.isBlank() ? "" : ": " + message) + hint, e);
            } catch (SdkException e) {
                throw SluiceException.retryable("SiteWise cannot be reached: " + e.getMessage(), e);
            }
        }, executor());
    }

    private IoTSiteWiseClient client() {
        IoTSiteWiseClient c = client;
        if (c != null) return c;
        synchronized (clientLock) {
            if (client == null) {
                client = buildClient();
            }
            return client;
        }
    }

    private IoTSiteWiseClient buildClient() {
        Duration timeout = config.requestTimeout();
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(timeout)
                .apiCallTimeout(timeout);
        IoTSiteWiseClientBuilder builder = IoTSiteWiseClient.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5))
                        .socketTimeout(timeout));
        config.region().ifPresent(r -> builder.region(Region.of(r)));
        config.endpointOverride().ifPresent(endpoint -> {
            builder.endpointOverride(URI.create(endpoint));
            override.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true);
        });
        builder.overrideConfiguration(override.build());
        try {
            return builder.build();
        } catch (SdkException e) {
            throw SluiceException.retryable("cannot create the SiteWise client (region, credentials): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        ExecutorService e;
        synchronized (this) {
            e = executor;
        }
        if (e != null) {
            e.shutdownNow();
        }
        synchronized (clientLock) {
            if (client != null) {
                client.close();
                client = null;
            }
        }
    }

    @Override
    public String toString() {
        return "sitewise:" + name;
    }

    /** Metrics of the destination (the publisher keeps its own per-destination metrics besides these). */
    private static final class Counters {
        static final Counters NONE = new Counters(null);
        final Metrics metrics;
        final Metrics.Counter requests;
        final Metrics.Counter entriesDelivered;
        final Metrics.Counter valuesDelivered;
        final Metrics.Counter throttledCalls;
        final Metrics.Counter failedCalls;
        final Metrics.Counter rejectedCalls;
        final Metrics.Counter quotaCalls;
        final Metrics.Counter rejectedAtPack;
        final Map<String, Metrics.Counter> entryErrors = new java.util.concurrent.ConcurrentHashMap<>();

        Counters(Metrics metrics) {
            this.metrics = metrics;
            requests = counter(metrics, "sitewise.requests");
            entriesDelivered = counter(metrics, "sitewise.entries.delivered");
            valuesDelivered = counter(metrics, "sitewise.values.delivered");
            throttledCalls = counter(metrics, "sitewise.requests.throttled");
            failedCalls = counter(metrics, "sitewise.requests.failed");
            rejectedCalls = counter(metrics, "sitewise.requests.rejected");
            quotaCalls = counter(metrics, "sitewise.requests.quota");
            rejectedAtPack = counter(metrics, "sitewise.values.rejected");
        }

        void entryError(String code) {
            entryErrors.computeIfAbsent(code == null ? "unknown" : code,
                    c -> counter(metrics, "sitewise.entries.errors", "code", c)).increment();
        }

        private static Metrics.Counter counter(Metrics metrics, String name, String... tags) {
            if (metrics == null) return new Local();
            return metrics.counter(name, tags);
        }

        private static final class Local implements Metrics.Counter {
            private final java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();

            public void increment(long amount) {
                n.addAndGet(amount);
            }

            public long count() {
                return n.get();
            }
        }
    }
}
