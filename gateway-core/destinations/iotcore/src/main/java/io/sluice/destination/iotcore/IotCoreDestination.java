package io.sluice.destination.iotcore;

import io.sluice.samplejson.ReusableGzip;
import io.sluice.samplejson.SizeLimitedPacker;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.Receipt;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Publishes samples to AWS IoT Core. {@link #pack} renders each sample's topic, splits a topic into
 * {@code max-in-flight} ordering lanes by tag (a tag always uses the same lane, so its samples stay in order while
 * several messages of one topic are unacknowledged) and packs each lane's samples into as few messages as fit
 * {@code max-payload-size}; a topic whose lanes fit one message together goes as that one message, which holds all
 * of its lanes ({@link IotPayloadFormat}, each message in the smaller of its series and wide layouts
 * unless {@code json-layout} fixes one); with {@code payload-format: snapshot} lanes are per source
 * and source time (a snapshot stays in one lane) and each lane's samples become one message per snapshot or lap
 * record ({@link IotSnapshotFormat}). {@link #sendAsync} publishes up to {@code max-in-flight}
 * messages at once over the transport and reports each PUBACK, or a retry for messages that got none.
 */
public final class IotCoreDestination implements Destination, io.sluice.spi.destination.DestinationProbe {

    /** A message ready to publish. */
    record Message(String topic, byte[] payload) {}

    static final int MAX_TOPIC_BYTES = 256;

    private final String name;
    private final IotCoreDestinationConfig config;
    private final DestinationLimits limits;
    private final SizeLimitedPacker packer;
    /** The deflater of json-gzip payloads, made once (packing is never concurrent with itself); ended by close. */
    private final ReusableGzip gzip = new ReusableGzip();
    /** Fast gzip while the byte quota is far from binding, smaller payloads near it. */
    private final GzipLevelPolicy gzipLevels;
    /** The level of the current {@link #pack} call (read by the packer's encoder). */
    private volatile int gzipLevel = GzipLevelPolicy.FAST;
    private volatile IotCoreTransport transport;

    public IotCoreDestination(String name, IotCoreDestinationConfig config) {
        this(name, config, System::nanoTime);
    }

    /** With {@code nanoTime} the clock that measures the payload byte rate ({@link GzipLevelPolicy}). */
    IotCoreDestination(String name, IotCoreDestinationConfig config, java.util.function.LongSupplier nanoTime) {
        this.name = name;
        this.config = config;
        long payload = Math.min(config.maxPayloadSize().bytes(), IotCoreDestinationConfig.IOT_CORE_MAX_PAYLOAD);
        this.limits = new DestinationLimits(config.maxInFlight(), payload * config.maxInFlight(), payload,
                config.windowSamples(), new RateLimits(0, config.publishesPerSecond(), config.bytesPerSecond().bytes()));
        this.gzipLevels = new GzipLevelPolicy(config.bytesPerSecond().bytes(), nanoTime);
        this.packer = packer(config.payloadFormat(), config.jsonLayout());
    }

    /** Packs one topic lane's samples into as few payloads as fit the payload limit. */
    private SizeLimitedPacker packer(IotCoreDestinationConfig.PayloadFormat format, IotPayloadFormat.Layout layout) {
        if (format == IotCoreDestinationConfig.PayloadFormat.SNAPSHOT) {
            return new SizeLimitedPacker(IotSnapshotFormat::encode, 30, "encoded sample is %d bytes, more than the"
                    + " payload limit of %d bytes (max-payload-size)");
        }
        boolean gzipped = format == IotCoreDestinationConfig.PayloadFormat.JSON_GZIP;
        return new SizeLimitedPacker((samples, from, to) -> IotPayloadFormat.encode(samples, from, to,
                gzipped ? gzipLevel : 0, layout, gzip), gzipped ? 12 : 40, "encoded sample is %d bytes, more than the"
                        + " payload limit of %d bytes (max-payload-size)");
    }

    @Override
    public DestinationLimits limits() {
        return limits;
    }

    /** Starts with a transport made from the config; the context's scheduler runs reconnects. */
    @Override
    public void start(DestinationContext context) throws Exception {
        ScheduledExecutorService scheduler = context.scheduler();
        if (config.payloadFormat() == IotCoreDestinationConfig.PayloadFormat.JSON_GZIP) {
            context.metrics().gauge("iotcore.gzip-level", () -> gzipLevel);
        }
        if (config.transport().equals("mqtt")) {
            MqttTransport mqtt = new MqttTransport(name, config, scheduler, context.logger());
            context.metrics().gauge("iotcore.connected", () -> mqtt.isConnected() ? 1 : 0);
            context.metrics().gauge("iotcore.connects", mqtt::connects);
            transport = mqtt;
            mqtt.start();
            return;
        }
        IotCoreTransportProvider provider = provider(config.transport());
        if (provider == null) {
            throw SluiceException.permanent("iotcore destination '" + name + "': no transport named '"
                    + config.transport() + "' on the class path");
        }
        transport = provider.create(name, context);
    }

    static IotCoreTransportProvider provider(String transportName) {
        for (IotCoreTransportProvider p : ServiceLoader.load(IotCoreTransportProvider.class)) {
            if (p.name().equals(transportName)) return p;
        }
        return null;
    }

    /** Transport names available: mqtt plus every provider on the class path. */
    static List<String> transportNames() {
        List<String> names = new ArrayList<>(List.of("mqtt"));
        for (IotCoreTransportProvider p : ServiceLoader.load(IotCoreTransportProvider.class)) names.add(p.name());
        return names;
    }

    /**
     * Where a sample of one tag goes: its topic (or why it can never be published there) and its ordering lane
     * within the topic, rendered once per tag instead of once per sample ({@link Routes}).
     */
    static final class Route {
        final String stream;
        final String unit;
        final io.sluice.spi.AssetContext asset;
        final String topic;
        /** Why the topic can never be published, or null. */
        final String problem;
        /**
         * The topic and the tag's lane ({@code topic NUL lane}): the packets' ordering key. One instance per distinct
         * key ({@link Routes} makes them so), so that the lane lookup of every sample in {@link #pack} finds its key
         * by identity instead of comparing its characters.
         */
        final String laneKey;

        Route(OutboundSample s, String topic, String problem, String laneKey) {
            this.stream = s.stream();
            this.unit = s.sample().unit();
            this.asset = s.asset();
            this.topic = topic;
            this.problem = problem;
            this.laneKey = laneKey;
        }

        /** The lane key of {@code s}'s tag on {@code topic}, one of {@code laneCount} lanes (not yet canonical). */
        static String laneKey(OutboundSample s, String topic, int laneCount) {
            return topic + '\u0000' + Math.floorMod((s.connector() + '\u0000' + s.sample().tag()).hashCode(), laneCount);
        }

        /** Whether {@code s} (of this route's connector and tag) renders as this route did. */
        boolean fits(OutboundSample s) {
            return java.util.Objects.equals(stream, s.stream()) && java.util.Objects.equals(unit, s.sample().unit())
                    && (asset == s.asset() || java.util.Objects.equals(asset, s.asset()));
        }
    }

    /**
     * The routes of the tags seen, per connector and tag. A route is rendered again when what a topic may name
     * changed for that tag (stream, unit, asset context); the connector and tag are the key. At most
     * {@link #MAX_ROUTES} are kept (then they are forgotten and rendered again). Used by {@link #pack} only, which is
     * never called concurrently with itself.
     */
    final class Routes {
        static final int MAX_ROUTES = 100_000;
        private final Map<String, Map<String, Route>> byConnector = new java.util.HashMap<>();
        /** Each lane key of the routes kept, one instance per distinct key (topics x lanes). */
        private final Map<String, String> laneKeys = new java.util.HashMap<>();
        /** Each topic of the routes kept, one instance per distinct topic ({@link #pack} groups by identity). */
        private final Map<String, String> topics = new java.util.HashMap<>();
        private int size;
        private String lastConnector;
        private Map<String, Route> lastByTag; // lastConnector's routes: a window holds one connector's samples in a row

        Route of(OutboundSample s) {
            Map<String, Route> byTag = lastByTag;
            if (byTag == null || s.connector() != lastConnector) {
                byTag = byConnector.get(s.connector());
                if (byTag == null) byConnector.put(s.connector(), byTag = new java.util.HashMap<>());
                lastConnector = s.connector();
                lastByTag = byTag;
            }
            String tag = s.sample().tag();
            Route r = byTag.get(tag);
            if (r != null && r.fits(s)) return r;
            if (size >= MAX_ROUTES) {
                byConnector.clear();
                laneKeys.clear();
                topics.clear();
                size = 0;
                byConnector.put(s.connector(), byTag = new java.util.HashMap<>());
                lastConnector = s.connector();
                lastByTag = byTag;
            }
            String topic = topics.computeIfAbsent(topic(s), k -> k);
            String laneKey = laneKeys.computeIfAbsent(Route.laneKey(s, topic, config.maxInFlight()), k -> k);
            r = new Route(s, topic, topicProblem(topic), laneKey);
            if (byTag.put(tag, r) == null) size++;
            return r;
        }

        int size() {
            return size;
        }
    }

    private final Routes routes = new Routes();

    Routes routes() {
        return routes;
    }

    /** The topic of one sample, rendered from the {@code topic} template. */
    String topic(OutboundSample s) {
        return config.topic().render(s::placeholder, "_");
    }

    static String topicProblem(String topic) {
        int bytes = topic.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) return "topic is empty";
        if (bytes > MAX_TOPIC_BYTES) return "topic '" + topic + "' is " + bytes + " bytes; IoT Core allows " + MAX_TOPIC_BYTES;
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0) {
            return "topic '" + topic + "' contains a wildcard (+ or #) or NUL";
        }
        if (topic.startsWith("$") && !topic.startsWith("$aws/rules/")) return "topic '" + topic + "' starts with $ (reserved)";
        return null;
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        gzipLevel = gzipLevels.level();
        Map<String, Topic> topics = new LinkedHashMap<>();
        List<Rejection> rejected = new ArrayList<>();
        int laneCount = config.maxInFlight();
        boolean snapshots = config.payloadFormat() == IotCoreDestinationConfig.PayloadFormat.SNAPSHOT;
        Topic lastTopic = null;
        String lastKey = null;
        List<OutboundSample> lastLane = null;
        for (OutboundSample s : samples) {
            Route route = routes.of(s);
            if (route.problem != null) {
                rejected.add(new Rejection(s, route.problem));
                continue;
            }
            // series: a tag always in one lane, so its samples stay in order. Snapshots: one source timestamp in one
            // lane (a snapshot stays whole), the timestamps spread over all lanes so that a single source is not
            // held to one message in flight; each snapshot carries its own time
            String laneKey = snapshots ? route.topic + "\u0000" + Math.floorMod(java.util.Objects.hash(s.connector(), s.asset(),
                    s.sample().sourceTimeNanos()), laneCount) : route.laneKey;
            Topic topic = lastTopic != null && lastTopic.name == route.topic ? lastTopic
                    : topics.computeIfAbsent(route.topic, Topic::new);
            if (!snapshots) topic.samples.add(s); // snapshots go per lane only
            List<OutboundSample> lane = laneKey == lastKey ? lastLane : topic.lanes.get(laneKey); // a canonical key (Routes)
            if (lane == null) topic.lanes.put(laneKey, lane = new ArrayList<>());
            lane.add(s);
            lastTopic = topic;
            lastKey = laneKey;
            lastLane = lane;
        }
        List<Packet> packets = new ArrayList<>();
        long budget = limits.maxPacketBytes();
        for (Topic topic : topics.values()) {
            if (!snapshots && topic.lanes.size() > 1) {
                // all of the topic's lanes in one message when it fits: one message (one TLS record run, one PUBACK)
                // instead of one per lane; it holds all of its lanes, so each tag's samples still stay in order
                SizeLimitedPacker.Chunk whole = packer.packWhole(topic.samples, budget);
                if (whole != null) {
                    packets.add(new Packet(List.copyOf(topic.lanes.keySet()), whole.data().length, topic.samples,
                            new Message(topic.name, whole.data())));
                    continue;
                }
            }
            for (Map.Entry<String, List<OutboundSample>> e : topic.lanes.entrySet()) {
                String key = e.getKey();
                List<List<OutboundSample>> messages = snapshots ? IotSnapshotFormat.group(e.getValue()) : List.of(e.getValue());
                for (List<OutboundSample> list : messages) {
                    packer.pack(list, budget, chunk -> packets.add(new Packet(key, chunk.data().length,
                            list.subList(chunk.from(), chunk.to()), new Message(topic.name, chunk.data()))), rejected);
                }
            }
        }
        long bytes = 0;
        for (Packet p : packets) bytes += p.sizeBytes();
        gzipLevels.packed(bytes);
        return new PackResult(packets, rejected);
    }

    /** One topic's samples of a packing round: all of them in stream order (not for snapshots), and by ordering lane. */
    private static final class Topic {
        final String name;
        final List<OutboundSample> samples = new ArrayList<>();
        final Map<String, List<OutboundSample>> lanes = new LinkedHashMap<>();

        Topic(String name) {
            this.name = name;
        }
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        IotCoreTransport t = transport;
        if (t == null) {
            // closed (a stop racing the publisher) or never started: the destination's state, never the data's
            return CompletableFuture.failedFuture(SluiceException.retryable("iotcore destination '" + name + "' is not started", null));
        }
        if (packets.isEmpty()) return CompletableFuture.completedFuture(List.of());
        if (!t.isConnected()) {
            return CompletableFuture.failedFuture(SluiceException.retryable("iotcore destination '" + name
                    + "': not connected" + (t instanceof MqttTransport m && !m.lastError().isEmpty() ? " (" + m.lastError() + ")" : ""), null));
        }
        List<CompletableFuture<PacketOutcome>> each = new ArrayList<>(packets.size());
        for (Packet p : packets) {
            Message m = (Message) p.body();
            CompletableFuture<Integer> published;
            try {
                published = t.publishWithId(m.topic(), m.payload(), config.qos());
            } catch (RuntimeException e) {
                published = CompletableFuture.failedFuture(e);
            }
            each.add(published.handle((id, error) -> error == null ? PacketOutcome.delivered(receipt(m.topic(), id)) : outcome(error)));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture[0]))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    /** A published message's receipt: its topic, QoS and MQTT packet id (when the transport knows it). */
    private Receipt receipt(String topic, Integer packetId) {
        return packetId == null || packetId <= 0
                ? Receipt.of("mqtt", "topic", topic, "qos", String.valueOf(config.qos()))
                : Receipt.of("mqtt", "topic", topic, "qos", String.valueOf(config.qos()), "packet-id", String.valueOf(packetId));
    }

    private static PacketOutcome outcome(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        if (e instanceof SluiceException se && !se.retryable()) return PacketOutcome.reject(se.getMessage());
        return PacketOutcome.retry(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    public IotCoreDestinationConfig config() {
        return config;
    }

    /**
     * The probe of {@code sluice destinations test}: whether the transport is connected (an MQTT session with the
     * broker, its TLS and certificate accepted), waiting up to {@link #PROBE_WAIT} for a connection under way. It
     * publishes nothing; the reason of a failed connection (refused certificate, unknown CA, unreachable) is the
     * verdict.
     */
    @Override
    public CompletableFuture<String> probeAsync() {
        IotCoreTransport t = transport;
        if (t == null) return CompletableFuture.failedFuture(SluiceException.retryable("iotcore destination '" + name + "' is not started", null));
        return CompletableFuture.supplyAsync(() -> {
            long until = System.nanoTime() + PROBE_WAIT.toNanos();
            while (!t.isConnected() && System.nanoTime() - until < 0) java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            String where = config.endpoint().orElse(config.transport());
            if (t.isConnected()) return "connected to " + where;
            String why = t instanceof MqttTransport m ? m.lastError() : "";
            throw new java.util.concurrent.CompletionException(SluiceException.retryable("not connected to " + where + " after "
                    + io.sluice.spi.Durations.format(PROBE_WAIT) + (why.isEmpty() ? "" : ": " + why), null));
        });
    }

    /** How long the probe waits for a connection under way. */
    static final java.time.Duration PROBE_WAIT = java.time.Duration.ofSeconds(10);

    /** True while the transport is connected. */
    public boolean isConnected() {
        IotCoreTransport t = transport;
        return t != null && t.isConnected();
    }

    @Override
    public void close() {
        IotCoreTransport t = transport;
        transport = null;
        gzip.close();
        if (t != null) t.close();
    }
}
