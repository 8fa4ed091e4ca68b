package io.sluice.rigs.sitewise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for the AWS IoT SiteWise data plane's {@code BatchPutAssetPropertyValue} ({@code POST /properties},
 * REST + JSON), on 127.0.0.1 and a free port, so the real AWS SDK client talks to it through an endpoint override.
 * It is the one fake of the test rigs: no SiteWise emulator exists.
 *
 * <p>It enforces what the service enforces:
 * <ul>
 *   <li>request shape: 1..10 entries, 1..10 property values per entry, entry ids matching {@code [a-zA-Z0-9_-]{1,64}}
 *       and unique, each entry names a property alias or an asset id + property id, each value carries exactly one
 *       Variant member and a timestamp, quality is GOOD / BAD / UNCERTAIN — a violation fails the whole request with
 *       400 {@code InvalidRequestException};</li>
 *   <li>per entry: unknown property ({@code ResourceNotFoundException}), a value of the wrong type or out of the
 *       Variant's range ({@code InvalidRequestException}), timestamps outside [now - 7 days, now + 10 minutes]
 *       ({@code TimestampOutOfRangeException}) — reported in {@code errorEntries};</li>
 *   <li>{@code enablePartialEntryProcessing}: false (the default) fails a whole entry for one bad value, true keeps
 *       the entry's good values.</li>
 * </ul>
 * Tests inject whole-request throttling (429 {@code ThrottlingException}), outages (503), any other whole-request
 * answer with or without an AWS error type ({@link #answerEveryRequest}: a wrong endpoint's plain 404, a 409
 * {@code ConflictingOperationException}) and per-entry errors, and
 * read back what is stored (a TQV with the timestamp and quality of a stored one overwrites it).
 *
 * <p>Properties: {@link #defineAlias} / {@link #defineProperty} declare known properties with their data type; unless
 * {@link #acceptUnknownAliases} is on (the default is off), any other alias is unknown. An accepted-unknown alias
 * takes the type of its first value, like a new data stream.
 */
public final class SiteWiseStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteWiseStandIn.class);
    private static final Pattern ENTRY_ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern STRING_VALUE = Pattern.compile("[^\\u0000-\\u001F\\u007F]*");
    /** Asset and property ids: a lowercase UUID, and not the all-zero one (the service model's pattern). */
    private static final Pattern ASSET_ID =
            Pattern.compile("(?!00000000-0000-0000-0000-000000000000)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** The longest property alias of a PutAssetPropertyValueEntry (the service model: 1..1000 characters). */
    static final int ALIAS_LIMIT = 1000;
    /** Valid values of PropertyValueNullValue.valueType. */
    private static final Set<String> NULL_TYPES = Set.of("D", "B", "S", "I", "U");
    private static final Set<String> QUALITIES = Set.of("GOOD", "BAD", "UNCERTAIN");
    private static final Duration MAX_AGE = Duration.ofDays(7);
    private static final Duration MAX_AHEAD = Duration.ofMinutes(10);

    static {
        // The JDK server writes response headers and body in separate segments; with Nagle's algorithm on, the body
        // waits for the client's delayed ACK (40 ms on Linux) and every call looks 40 ms slower than it is.
        // Read once when the JDK's server classes load, so set it before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, ValueType> properties = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> entryFaults = new ConcurrentHashMap<>();
    /** What is stored, one TQV per (property, timestamp, quality), in the order each was first written. */
    private final Map<StoredKey, AcceptedValue> accepted = new LinkedHashMap<>();
    private final AtomicLong overwrites = new AtomicLong();
    private final List<EntryError> errors = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rejectedRequests = new AtomicLong();
    /** Numbers (in order of arrival) of the requests on {@code POST /properties} not answered yet. */
    private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
    private final AtomicLong overtakingAnswers = new AtomicLong();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger unavailableNext = new AtomicInteger();
    private volatile boolean throttleAll;
    private volatile boolean limitExceeded;
    private volatile RequestFault requestFault;
    private volatile boolean acceptUnknown;
    private volatile Clock clock = Clock.systemUTC();
    private volatile Duration latency = Duration.ZERO;

    private SiteWiseStandIn(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on 127.0.0.1 and a free port. */
    public static SiteWiseStandIn start() throws IOException {
        return start(0);
    }

    /** Starts on 127.0.0.1:{@code port} (0 = a free port). */
    public static SiteWiseStandIn start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        AtomicInteger n = new AtomicInteger();
        // a thread per request in flight (a simulated round trip sleeps in it): as many as a destination may have
        // in flight (max-calls-in-flight is at most 64), so the stand-in does not cap what it measures
        ExecutorService executor = Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "sitewise-standin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SiteWiseStandIn standIn = new SiteWiseStandIn(server, executor);
        server.setExecutor(executor);
        server.createContext("/", standIn::handle);
        server.start();
        LOG.info("SiteWise stand-in listening on {}", standIn.endpoint());
        return standIn;
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint override for the SDK client. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    // ---- configuration -------------------------------------------------------------------------------------

    /** Declares a known property alias and its data type. */
    public SiteWiseStandIn defineAlias(String alias, ValueType type) {
        properties.put(alias, type);
        return this;
    }

    /** Declares a known asset property, addressed by asset id + property id. */
    public SiteWiseStandIn defineProperty(String assetId, String propertyId, ValueType type) {
        properties.put(assetId + "/" + propertyId, type);
        return this;
    }

    /** With true, any alias is accepted and takes the type of its first value. */
    public SiteWiseStandIn acceptUnknownAliases(boolean accept) {
        this.acceptUnknown = accept;
        return this;
    }

    /** The clock the timestamp window is checked against. */
    public SiteWiseStandIn clock(Clock newClock) {
        this.clock = newClock;
        return this;
    }

    /** Answers every request only after this long (a simulated service round trip). */
    public SiteWiseStandIn latency(Duration newLatency) {
        this.latency = newLatency;
        return this;
    }

    // ---- fault injection -----------------------------------------------------------------------------------

    /** Answers the next {@code count} requests with 429 ThrottlingException. */
    public void throttleNextRequests(int count) {
        throttleNext.set(count);
    }

    /** While on, answers every request with 429 ThrottlingException. */
    public void throttleAll(boolean on) {
        throttleAll = on;
    }

    /**
     * While on, answers every request with 410 LimitExceededException: a resource quota of the account is exhausted
     * (not a request rate; waiting a moment does not help, raising the quota or deleting resources does).
     */
    public void limitExceeded(boolean on) {
        limitExceeded = on;
    }

    /** Answers the next {@code count} requests with 503 ServiceUnavailableException. */
    public void unavailableNextRequests(int count) {
        unavailableNext.set(count);
    }

    /**
     * While set, answers every request with {@code status}; {@code errorType} is the AWS error type (header
     * {@code x-amzn-ErrorType} and a JSON body), or null for a plain answer without one, as a wrong endpoint or a
     * proxy in the way gives (e.g. 404 with an HTML page). {@link #answerNormally()} ends it.
     */
    public void answerEveryRequest(int status, String errorType) {
        requestFault = new RequestFault(status, errorType);
    }

    /** Ends {@link #answerEveryRequest}. */
    public void answerNormally() {
        requestFault = null;
    }

    private record RequestFault(int status, String errorType) {}

    /** What the service keys a stored TQV by: property, timestamp and quality. */
    private record StoredKey(String property, long seconds, long nanos, String quality) {}

    /**
     * Fails the next {@code count} entries for {@code property} (an alias, or {@code assetId/propertyId}) with
     * {@code errorCode} (e.g. ThrottlingException, InternalFailureException, InvalidRequestException) without
     * accepting their values.
     */
    public void failNextEntries(String property, String errorCode, int count) {
        Deque<String> q = entryFaults.computeIfAbsent(property, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < count; i++) q.add(errorCode);
        }
    }

    // ---- recorded results ----------------------------------------------------------------------------------

    /**
     * Every stored value, in the order each was first written: a TQV with the timestamp and quality of a stored one
     * for the same property replaces it in place (as the service overwrites), so resending a value adds no copy.
     */
    public List<AcceptedValue> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted.values());
        }
    }

    /** Accepted values of one property in arrival order. */
    public List<AcceptedValue> accepted(String property) {
        synchronized (accepted) {
            return accepted.values().stream().filter(v -> v.property().equals(property)).toList();
        }
    }

    /** How many accepted TQVs replaced a stored one with the same property, timestamp and quality. */
    public long overwrites() {
        return overwrites.get();
    }

    public int acceptedCount() {
        synchronized (accepted) {
            return accepted.size();
        }
    }

    /** Every error entry returned, in order. */
    public List<EntryError> errorEntries() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Requests received on {@code POST /properties}, including refused ones. */
    public long requests() {
        return requests.get();
    }

    /** Requests answered while a request that arrived before them was still unanswered. */
    public long overtakingAnswers() {
        return overtakingAnswers.get();
    }

    /** Requests refused as a whole (throttled, unavailable, invalid). */
    public long rejectedRequests() {
        return rejectedRequests.get();
    }

    /** Forgets accepted values and errors (known properties and faults stay). */
    public void clearRecords() {
        synchronized (accepted) {
            accepted.clear();
        }
        synchronized (errors) {
            errors.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the service ---------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        long number = 0;
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            // DescribeDefaultEncryptionConfiguration: what `sluice destinations test` calls; the faults below apply to it
            boolean describe = "GET".equals(exchange.getRequestMethod())
                    && "/configuration/account/encryption".equals(exchange.getRequestURI().getPath());
            if (!describe && (!"POST".equals(exchange.getRequestMethod()) || !"/properties".equals(exchange.getRequestURI().getPath()))) {
                error(exchange, 404, "UnknownOperationException",
                        "no operation at " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
                return;
            }
            number = describe ? 0 : requests.incrementAndGet();
            if (!describe) unanswered.add(number);
            Duration wait = latency;
            if (!wait.isZero()) {
                Thread.sleep(wait.toMillis());
            }
            RequestFault fault = requestFault;
            if (fault != null) {
                rejectedRequests.incrementAndGet();
                if (fault.errorType() == null) {
                    byte[] page = ("<html><body><h1>" + fault.status() + "</h1></body></html>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/html");
                    exchange.sendResponseHeaders(fault.status(), page.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(page);
                    }
                } else {
                    error(exchange, fault.status(), fault.errorType(), "injected " + fault.errorType());
                }
                return;
            }
            if (limitExceeded) {
                rejectedRequests.incrementAndGet();
                error(exchange, 410, "LimitExceededException",
                        "A resource quota of this account is exceeded (injected by the stand-in)");
                return;
            }
            if (throttleAll || takeOne(throttleNext)) {
                rejectedRequests.incrementAndGet();
                error(exchange, 429, "ThrottlingException", "Rate exceeded");
                return;
            }
            if (takeOne(unavailableNext)) {
                rejectedRequests.incrementAndGet();
                error(exchange, 503, "ServiceUnavailableException", "The service is unavailable");
                return;
            }
            if (describe) {
                ObjectNode answer = json.createObjectNode().put("encryptionType", "SITEWISE_DEFAULT_ENCRYPTION");
                answer.putObject("configurationStatus").put("state", "ACTIVE");
                byte[] page = json.writeValueAsBytes(answer);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, page.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
                return;
            }
            JsonNode request;
            try {
                request = json.readTree(body);
            } catch (IOException e) {
                rejectedRequests.incrementAndGet();
                error(exchange, 400, "InvalidRequestException", "malformed JSON body: " + e.getMessage());
                return;
            }
            String invalid = validateShape(request);
            if (invalid != null) {
                rejectedRequests.incrementAndGet();
                error(exchange, 400, "InvalidRequestException", invalid);
                return;
            }
            ObjectNode response = json.createObjectNode();
            ArrayNode errorEntries = response.putArray("errorEntries");
            boolean partial = request.path("enablePartialEntryProcessing").asBoolean(false);
            for (JsonNode entry : request.get("entries")) {
                processEntry(entry, partial, number, errorEntries);
            }
            if (unanswered.first() < number) overtakingAnswers.incrementAndGet();
            send(exchange, 200, json.writeValueAsBytes(response), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("SiteWise stand-in failed on a request", e);
            error(exchange, 500, "InternalFailureException", "stand-in failure: " + e);
        } finally {
            if (number > 0) unanswered.remove(number);
        }
    }

    private static boolean takeOne(AtomicInteger counter) {
        while (true) {
            int n = counter.get();
            if (n <= 0) return false;
            if (counter.compareAndSet(n, n - 1)) return true;
        }
    }

    /** Checks what the service checks before looking at any entry; returns the message of the first violation. */
    private String validateShape(JsonNode request) {
        JsonNode entries = request.get("entries");
        if (entries == null || !entries.isArray()) {
            return "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null";
        }
        if (entries.isEmpty() || entries.size() > 10) {
            return "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length "
                    + "between 1 and 10, got " + entries.size();
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            String at = "entries." + (i + 1);
            String id = e.path("entryId").asText(null);
            if (id == null || !ENTRY_ID.matcher(id).matches()) {
                return "Value at '" + at + ".member.entryId' failed to satisfy constraint: Member must satisfy regular "
                        + "expression pattern: ^[a-zA-Z0-9_-]+$ and have length between 1 and 64";
            }
            if (!ids.add(id)) {
                return "duplicate entryId '" + id + "'";
            }
            boolean alias = e.hasNonNull("propertyAlias");
            boolean assetId = e.hasNonNull("assetId");
            boolean propertyId = e.hasNonNull("propertyId");
            if (alias == (assetId || propertyId) || assetId != propertyId) {
                return "entry '" + id + "' must name either a propertyAlias or an assetId and a propertyId";
            }
            if (assetId && (!ASSET_ID.matcher(e.get("assetId").asText()).matches()
                    || !ASSET_ID.matcher(e.get("propertyId").asText()).matches())) {
                return "entry '" + id + "': assetId and propertyId must be 36-character lowercase UUIDs other than "
                        + "00000000-0000-0000-0000-000000000000";
            }
            if (alias) {
                String a = e.get("propertyAlias").asText();
                if (a.isEmpty() || a.length() > ALIAS_LIMIT) {
                    return "Value at '" + at + ".member.propertyAlias' failed to satisfy constraint: Member must have "
                            + "length between 1 and " + ALIAS_LIMIT + ", got " + a.length();
                }
                if (!STRING_VALUE.matcher(a).matches()) {
                    return "Value at '" + at + ".member.propertyAlias' failed to satisfy constraint: Member must satisfy "
                            + "regular expression pattern: [^\\u0000-\\u001F\\u007F]+";
                }
            }
            JsonNode values = e.get("propertyValues");
            if (values == null || !values.isArray() || values.isEmpty() || values.size() > 10) {
                return "Value at '" + at + ".member.propertyValues' failed to satisfy constraint: Member must have "
                        + "length between 1 and 10, got " + (values == null || !values.isArray() ? "none" : values.size());
            }
            for (JsonNode v : values) {
                JsonNode value = v.get("value");
                if (value == null || !value.isObject()) {
                    return "entry '" + id + "': a property value has no value";
                }
                int members = 0;
                for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                    String m = it.next();
                    if (ValueType.ofMember(m) == null && !"nullValue".equals(m)) {
                        return "entry '" + id + "': unknown Variant member '" + m + "'";
                    }
                    members++;
                }
                if (members != 1) {
                    return "entry '" + id + "': a Variant must carry exactly one member, got " + members;
                }
                if (value.has("nullValue")) {
                    String nullType = value.get("nullValue").path("valueType").asText("");
                    if (!NULL_TYPES.contains(nullType)) {
                        return "Value '" + nullType + "' at 'entries." + (i + 1) + ".member.propertyValues.member.value"
                                + ".nullValue.valueType' failed to satisfy constraint: Member must satisfy enum value "
                                + "set: [D, B, S, I, U]";
                    }
                }
                JsonNode ts = v.get("timestamp");
                if (ts == null || !ts.path("timeInSeconds").canConvertToLong() || !ts.path("timeInSeconds").isIntegralNumber()) {
                    return "entry '" + id + "': timestamp.timeInSeconds is required";
                }
                long secs = ts.get("timeInSeconds").asLong();
                if (secs < 1) {
                    return "entry '" + id + "': timestamp.timeInSeconds must be at least 1";
                }
                JsonNode off = ts.get("offsetInNanos");
                if (off != null && (!off.isIntegralNumber() || off.asLong() < 0 || off.asLong() > 999_999_999)) {
                    return "entry '" + id + "': timestamp.offsetInNanos must be between 0 and 999999999";
                }
                JsonNode q = v.get("quality");
                if (q != null && !QUALITIES.contains(q.asText())) {
                    return "Value '" + q.asText() + "' at 'entries." + (i + 1) + ".member.propertyValues.member.quality' "
                            + "failed to satisfy constraint: Member must satisfy enum value set: [GOOD, BAD, UNCERTAIN]";
                }
            }
        }
        return null;
    }

    private void processEntry(JsonNode entry, boolean partial, long number, ArrayNode errorEntries) {
        String entryId = entry.get("entryId").asText();
        String property = entry.hasNonNull("propertyAlias")
                ? entry.get("propertyAlias").asText()
                : entry.get("assetId").asText() + "/" + entry.get("propertyId").asText();
        JsonNode values = entry.get("propertyValues");

        String injected = nextFault(property);
        if (injected != null) {
            entryError(errorEntries, entryId, property, number, injected, "injected " + injected, values);
            return;
        }
        ValueType known = properties.get(property);
        if (known == null && !acceptUnknown) {
            String what = entry.hasNonNull("propertyAlias") ? "property alias" : "asset property";
            entryError(errorEntries, entryId, property, number, "ResourceNotFoundException",
                    "The " + what + " '" + property + "' was not found", values);
            return;
        }
        Instant now = clock.instant();
        Instant oldest = now.minus(MAX_AGE);
        Instant newest = now.plus(MAX_AHEAD);
        List<AcceptedValue> good = new ArrayList<>();
        Map<String, List<JsonNode>> bad = new HashMap<>();
        Map<String, String> messages = new HashMap<>();
        ValueType entryType = known;
        for (JsonNode v : values) {
            JsonNode ts = v.get("timestamp");
            long secs = ts.get("timeInSeconds").asLong();
            long nanos = ts.path("offsetInNanos").asLong(0);
            Instant t = Instant.ofEpochSecond(secs, nanos);
            if (t.isBefore(oldest) || t.isAfter(newest)) {
                bad.computeIfAbsent("TimestampOutOfRangeException", k -> new ArrayList<>()).add(ts);
                messages.put("TimestampOutOfRangeException", "Timestamps must be within [-7 days, +10 minutes] of now");
                continue;
            }
            String member = v.get("value").fieldNames().next();
            JsonNode raw = v.get("value").get(member);
            String quality = v.hasNonNull("quality") ? v.get("quality").asText() : "GOOD";
            if ("nullValue".equals(member)) {
                String problem = null;
                ValueType nullType = ValueType.ofNullType(raw.get("valueType").asText());
                if ("GOOD".equals(quality)) {
                    problem = "A nullValue needs quality BAD or UNCERTAIN, got GOOD";
                } else if (nullType != null && entryType != null && nullType != entryType) {
                    problem = "The property '" + property + "' has data type " + entryType
                            + " but a nullValue of type " + raw.get("valueType").asText() + " was sent";
                }
                if (problem != null) {
                    bad.computeIfAbsent("InvalidRequestException", k -> new ArrayList<>()).add(ts);
                    messages.putIfAbsent("InvalidRequestException", problem);
                    continue;
                }
                if (entryType == null) {
                    entryType = nullType;
                }
                good.add(new AcceptedValue(property, nullType == null ? entryType : nullType, null, quality, secs, nanos, number));
                continue;
            }
            ValueType type = ValueType.ofMember(member);
            if (entryType == null) {
                entryType = type;
            }
            Object value;
            String problem = null;
            switch (type) {
                case DOUBLE -> {
                    double d = raw.isTextual() && raw.asText().equals("NaN") ? Double.NaN : raw.asDouble();
                    if (!raw.isNumber() && !(raw.isTextual() && raw.asText().equals("NaN"))) problem = "doubleValue must be a number";
                    else if (!Double.isNaN(d) && (d < -1e10 || d > 1e10)) problem = "doubleValue " + d + " outside [-10^10, 10^10]";
                    value = d;
                }
                case INTEGER -> {
                    if (!raw.isIntegralNumber() || !raw.canConvertToInt()) problem = "integerValue must be a 32-bit integer";
                    value = raw.asInt();
                }
                case BOOLEAN -> {
                    if (!raw.isBoolean()) problem = "booleanValue must be true or false";
                    value = raw.asBoolean();
                }
                default -> {
                    String s = raw.asText();
                    if (!raw.isTextual() || s.length() > 1024 || !STRING_VALUE.matcher(s).matches()) {
                        problem = "stringValue must be at most 1024 characters without control characters";
                    }
                    value = s;
                }
            }
            if (problem == null && type != entryType) {
                problem = "The property '" + property + "' has data type " + entryType + " but a value was sent as " + member;
            }
            if (problem != null) {
                bad.computeIfAbsent("InvalidRequestException", k -> new ArrayList<>()).add(ts);
                messages.putIfAbsent("InvalidRequestException", problem);
                continue;
            }
            good.add(new AcceptedValue(property, type, value, quality, secs, nanos, number));
        }
        if (!bad.isEmpty()) {
            ObjectNode e = errorEntries.addObject();
            e.put("entryId", entryId);
            ArrayNode errs = e.putArray("errors");
            for (Map.Entry<String, List<JsonNode>> b : bad.entrySet()) {
                ObjectNode err = errs.addObject();
                err.put("errorCode", b.getKey());
                err.put("errorMessage", messages.get(b.getKey()));
                ArrayNode stamps = err.putArray("timestamps");
                b.getValue().forEach(stamps::add);
                record(new EntryError(property, b.getKey(), messages.get(b.getKey()), number));
            }
            if (!partial) {
                return;
            }
        }
        if (known == null && entryType != null && !good.isEmpty()) {
            properties.putIfAbsent(property, entryType);
        }
        synchronized (accepted) {
            for (AcceptedValue v : good) {
                StoredKey key = new StoredKey(v.property(), v.timeInSeconds(), v.offsetInNanos(), v.quality());
                if (accepted.put(key, v) != null) { // replaced in place: the position of the first write stays
                    overwrites.incrementAndGet();
                }
            }
        }
    }

    private String nextFault(String property) {
        Deque<String> q = entryFaults.get(property);
        if (q == null) return null;
        synchronized (q) {
            return q.poll();
        }
    }

    private void entryError(ArrayNode errorEntries, String entryId, String property, long number, String code,
                            String message, JsonNode values) {
        ObjectNode e = errorEntries.addObject();
        e.put("entryId", entryId);
        ObjectNode err = e.putArray("errors").addObject();
        err.put("errorCode", code);
        err.put("errorMessage", message);
        ArrayNode stamps = err.putArray("timestamps");
        for (JsonNode v : values) {
            stamps.add(v.get("timestamp"));
        }
        record(new EntryError(property, code, message, number));
    }

    private void record(EntryError error) {
        synchronized (errors) {
            errors.add(error);
        }
    }

    private void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("message", message);
        send(exchange, status, json.writeValueAsBytes(body), type);
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String errorType) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Runs the stand-in on its own: {@code SiteWiseStandIn [port]}; accepts any alias. Stops on Ctrl-C. */
    public static void main(String[] args) throws Exception {
        SiteWiseStandIn standIn = start(args.length > 0 ? Integer.parseInt(args[0]) : 0).acceptUnknownAliases(true);
        System.out.println("SiteWise stand-in at " + standIn.endpoint());
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close));
        Thread.currentThread().join();
    }
}
