package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.Template;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IotCoreDestinationTest {

    @Test
    void validationNeedsCertificateKeyAndSslEndpoint() {
        Map<String, String> problems = new HashMap<>();
        new IotCoreDestinationFactory().validate(IotTestSamples.config("tcp://127.0.0.1:1883", null, null, null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "sluice/{connector}"), problems::put);
        assertTrue(problems.containsKey("certificate"), problems.toString());
        assertTrue(problems.containsKey("private-key"), problems.toString());
        assertTrue(problems.get("endpoint").contains("ssl://"), problems.toString());
        assertEquals(3, problems.size(), problems.toString());

        Map<String, String> none = new HashMap<>();
        new IotCoreDestinationFactory().validate(IotTestSamples.basic(), none::put);
        assertTrue(none.isEmpty(), none.toString());
    }

    @Test
    void validationChecksTopicAndPayloadLimits() {
        IotCoreDestinationConfig b = IotTestSamples.basic();
        IotCoreDestinationConfig bad = new IotCoreDestinationConfig("carrier-pigeon", b.endpoint(), b.clientId(),
                b.certificate(), b.privateKey(), b.caCertificate(), Template.parse("a/b/c/d/e/f/g/h/i/{tag}/" + "x".repeat(250)),
                1, b.payloadFormat(), b.jsonLayout(), DataSize.ofKilobytes(256), 100, b.bytesPerSecond(), 10, 100, b.keepAlive(),
                b.connectTimeout(), b.publishTimeout(), b.reconnectMinDelay(), b.reconnectMaxDelay());
        List<String> keys = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        new IotCoreDestinationFactory().validate(bad, (k, m) -> { keys.add(k); messages.add(m); });
        assertTrue(keys.contains("transport"), keys.toString());
        assertTrue(keys.contains("max-payload-size"), keys.toString());
        assertEquals(2, keys.stream().filter("topic"::equals).count(), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("10 slashes")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("bytes; IoT Core allows 256")), messages.toString());
    }

    @Test
    void defaultLimitsAreIotCoreQuotas() {
        var limits = new IotCoreDestination("d", IotTestSamples.basic()).limits();
        assertEquals(100, limits.defaultRates().packetsPerSecond());
        assertEquals(512 * 1024, limits.defaultRates().bytesPerSecond());
        assertEquals(128 * 1024, limits.maxPacketBytes());
        assertEquals(10, limits.maxPacketsPerCall());
    }

    @Test
    void packsPerTopicLaneWithinThePayloadLimitKeepingTagOrder() throws Exception {
        for (var format : IotCoreDestinationConfig.PayloadFormat.values()) {
            if (format == IotCoreDestinationConfig.PayloadFormat.SNAPSHOT) continue; // IotSnapshotFormatTest
            IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null, format,
                    "plant/{site}/{stream}"));
            List<OutboundSample> in = new ArrayList<>(IotTestSamples.floats("telemetry", 6000, 25, 0));
            in.addAll(IotTestSamples.floats("alarms", 500, 5, 0));
            PackResult r = d.pack(in);
            assertTrue(r.rejected().isEmpty());
            Set<String> topics = new HashSet<>();
            Map<String, Long> lastSeq = new HashMap<>();
            int total = 0;
            for (Packet p : r.packets()) {
                IotCoreDestination.Message m = (IotCoreDestination.Message) p.body();
                assertTrue(p.sizeBytes() <= 128 * 1024);
                assertEquals(m.payload().length, p.sizeBytes());
                topics.add(m.topic());
                var decoded = IotPayloadFormat.decode(m.payload());
                assertEquals(p.samples().size(), decoded.size());
                for (int i = 0; i < decoded.size(); i++) {
                    var s = decoded.get(i);
                    assertEquals(p.samples().get(i).sample(), s.sample());
                    assertEquals("plant/hamburg/" + s.stream(), m.topic());
                    String tagKey = s.stream() + "/" + s.sample().tag();
                    assertTrue(p.orderingKeys().contains(IotCoreDestination.Route.laneKey(p.samples().get(i), m.topic(), 10)),
                            "a tag's message holds its lane");
                    Long prev = lastSeq.put(tagKey, s.sequence());
                    assertTrue(prev == null || prev < s.sequence());
                }
                total += decoded.size();
            }
            assertEquals(in.size(), total);
            assertEquals(Set.of("plant/hamburg/telemetry", "plant/hamburg/alarms"), topics);
            Set<String> lanesUsed = new HashSet<>();
            for (OutboundSample s : in) lanesUsed.add(IotCoreDestination.Route.laneKey(s, "plant/hamburg/" + s.stream(), 10));
            List<String> lanesPacked = r.packets().stream().flatMap(p -> p.orderingKeys().stream()).toList();
            assertEquals(lanesUsed.size(), lanesPacked.size(), format + ": each lane in one message");
            assertEquals(lanesUsed, Set.copyOf(lanesPacked));
        }
    }

    @Test
    void aTopicWhoseLanesFitOneMessageGoesAsOneMessageHoldingEachLane() throws Exception {
        IotCoreDestinationConfig c = IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON_GZIP, "t/{stream}");
        IotCoreDestination d = new IotCoreDestination("d", c);
        List<OutboundSample> live = new ArrayList<>();
        for (int i = 0; i < 1000; i++) live.add(sample("s", i, "plc", "tag." + i, null, AssetContext.EMPTY));
        PackResult r = d.pack(live);
        assertEquals(1, r.packets().size(), "1,000 values of one instant in one message");
        Packet p = r.packets().get(0);
        Set<String> lanes = new HashSet<>();
        for (OutboundSample s : live) lanes.add(IotCoreDestination.Route.laneKey(s, "t/s", c.maxInFlight()));
        assertEquals(c.maxInFlight(), lanes.size());
        assertEquals(lanes, Set.copyOf(p.orderingKeys()), "the message holds every lane its samples travel in");
        assertEquals(live, p.samples(), "in stream order");
        var decoded = IotPayloadFormat.decode(((IotCoreDestination.Message) p.body()).payload());
        assertEquals(live.stream().map(OutboundSample::sample).toList(), decoded.stream().map(x -> x.sample()).toList());

        IotCoreDestination plain = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "t/{stream}"));
        List<OutboundSample> deep = new ArrayList<>();
        for (int i = 0; i < 8000; i++) deep.add(sample("s", i, "plc", "tag." + (i % 1000), null, AssetContext.EMPTY));
        PackResult perLane = plain.pack(deep);
        assertTrue(perLane.packets().size() >= c.maxInFlight(), "too large for one message: " + perLane.packets().size());
        perLane.packets().forEach(x -> assertEquals(1, x.orderingKeys().size(), "a message of one lane"));
    }

    @Test
    void gzipPacksFarMoreSamplesPerMessageAndStaysUnderTheLimit() throws Exception {
        IotCoreDestinationConfig c = IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON_GZIP, "t/{stream}");
        IotCoreDestination d = new IotCoreDestination("d", c);
        Random random = new Random(3);
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            Value v = i % 10 == 0 ? Value.of(Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()))
                    : Value.of(random.nextGaussian());
            in.add(new OutboundSample("s", i, "c", Sample.good("t" + (i % 3), v, i), IotTestSamples.ASSET));
        }
        PackResult r = d.pack(in);
        int total = 0;
        for (Packet p : r.packets()) {
            assertTrue(p.sizeBytes() <= 128 * 1024, "payload " + p.sizeBytes());
            total += IotPayloadFormat.decode(((IotCoreDestination.Message) p.body()).payload()).size();
        }
        assertEquals(20000, total);
        assertTrue(r.packets().size() < 20, "packets: " + r.packets().size());
    }

    /**
     * Why the window matters: live data of many tags (an OPC UA server's, one source time per block of tags, a server
     * time per value, one receive time per notification), packed gzip'd one round at a time against ten rounds in one
     * window (what a large enough window-samples and a batch-interval on the export give). Ten values per tag in a
     * message cost far fewer bytes per value: IoT Core's 512 KB/s carry 100,000 values/s only under ~5.2 bytes per value.
     */
    @Test
    void tenRoundsInOneWindowCompressFarBetterThanOneRoundAtATime() throws Exception {
        IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON_GZIP, "t/{stream}"));
        int tags = 2_000, rounds = 10;
        List<OutboundSample> in = new ArrayList<>();
        long seq = 1;
        for (int r = 0; r < rounds; r++) {
            long receive = 1_763_800_000_000_000_000L + r * 100_000_000L + 2_345_678;
            for (int i = 0; i < tags; i++) {
                long source = 1_763_800_000_000_000_000L + r * 100_000_000L + (i / 64) * 12_300L;
                Sample s = new Sample(String.format("Node_%05d", i), Value.of(1000 + r + i / 100_000.0), Quality.GOOD, 0,
                        source, source + 100L * ((i * 37L + r * 11L) % 500), receive, null);
                in.add(new OutboundSample("opcua", seq++, "rig", s, IotTestSamples.ASSET));
            }
        }
        long oneAtATime = 0;
        for (int r = 0; r < rounds; r++) {
            oneAtATime += d.pack(in.subList(r * tags, (r + 1) * tags)).packets().stream().mapToLong(Packet::sizeBytes).sum();
        }
        PackResult window = d.pack(in);
        long together = window.packets().stream().mapToLong(Packet::sizeBytes).sum();
        assertEquals(10, window.packets().stream().mapToLong(p -> p.orderingKeys().size()).sum(), "each lane in one message");
        int decoded = 0;
        for (Packet p : window.packets()) decoded += IotPayloadFormat.decode(((IotCoreDestination.Message) p.body()).payload()).size();
        assertEquals(in.size(), decoded);
        double perValueOne = (double) oneAtATime / in.size(), perValueTen = (double) together / in.size();
        double quotaPerValue = 512 * 1024 / 100_000.0; // IoT Core's bytes per second over 100,000 values per second
        assertTrue(perValueTen < quotaPerValue && perValueOne > quotaPerValue,
                perValueTen + " B/value in one window, " + perValueOne + " one round at a time");
    }

    @Test
    void unpublishableTopicsAreRejectedWithTheReason() {
        IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "plant/{tag}"));
        List<OutboundSample> in = new ArrayList<>(IotTestSamples.floats("s", 3, 1, 0));
        in.add(new OutboundSample("s", 9, "sim", Sample.good("bad/+/tag", Value.of(1L), 1), IotTestSamples.ASSET));
        in.add(new OutboundSample("s", 10, "sim", Sample.good("x".repeat(300), Value.of(1L), 1), IotTestSamples.ASSET));
        PackResult r = d.pack(in);
        assertEquals(2, r.rejected().size());
        assertTrue(r.rejected().get(0).reason().contains("wildcard"));
        assertTrue(r.rejected().get(1).reason().contains("bytes; IoT Core allows 256"));
        assertEquals(3, r.packets().stream().mapToInt(p -> p.samples().size()).sum());
    }

    @Test
    void oversizedSampleIsRejected() {
        IotCoreDestinationConfig b = IotTestSamples.basic();
        IotCoreDestinationConfig small = new IotCoreDestinationConfig("mqtt", b.endpoint(), b.clientId(), b.certificate(),
                b.privateKey(), b.caCertificate(), b.topic(), 1, b.payloadFormat(), b.jsonLayout(), DataSize.ofKilobytes(2), 100,
                b.bytesPerSecond(), 10, 100, b.keepAlive(), b.connectTimeout(), b.publishTimeout(), b.reconnectMinDelay(),
                b.reconnectMaxDelay());
        List<OutboundSample> in = List.of(new OutboundSample("s", 1, "c", Sample.good("t", Value.of("y".repeat(5000)), 1),
                IotTestSamples.ASSET));
        PackResult r = new IotCoreDestination("d", small).pack(in);
        assertEquals(1, r.rejected().size());
        assertTrue(r.rejected().get(0).reason().contains("payload limit"), r.rejected().get(0).reason());
        assertTrue(r.packets().isEmpty());
        assertTrue(Optional.of(r).isPresent());
    }

    private static OutboundSample sample(String stream, long seq, String connector, String tag, String unit, AssetContext asset) {
        return new OutboundSample(stream, seq, connector, new Sample(tag, Value.of(1.5), Quality.GOOD, 0, seq, seq, unit), asset);
    }

    private static Map<Long, String> topicsBySequence(PackResult r) {
        Map<Long, String> out = new HashMap<>();
        for (Packet p : r.packets()) {
            for (OutboundSample s : p.samples()) out.put(s.sequence(), ((IotCoreDestination.Message) p.body()).topic());
        }
        return out;
    }

    @Test
    void aTagsTopicIsRenderedOnceAndAgainWhenWhatItNamesChanges() {
        IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "plant/{stream}/{machine}/{unit}/{tag}"));
        AssetContext press = new AssetContext(Map.of("machine", "press-3"));
        List<OutboundSample> first = new ArrayList<>();
        for (int i = 0; i < 300; i++) first.add(sample("s", i, "plc", "t" + (i % 30), "bar", press));
        assertEquals("plant/s/press-3/bar/t7", topicsBySequence(d.pack(first)).get(7L));
        assertEquals(30, d.routes().size(), "one route per tag, not per sample");

        List<OutboundSample> second = List.of(
                sample("s", 300, "plc", "t7", "bar", new AssetContext(Map.of("machine", "press-3"))), // equal, not the same
                sample("s", 301, "plc", "t8", "bar", new AssetContext(Map.of("machine", "press-4"))), // moved
                sample("s", 302, "plc", "t9", "kPa", press),                                          // another unit
                sample("other", 0, "plc", "t10", "bar", press),                                       // another stream
                sample("s", 303, "plc2", "t11", "bar", press));                                      // another connector
        Map<Long, String> topics = topicsBySequence(d.pack(second));
        assertEquals("plant/s/press-3/bar/t7", topics.get(300L));
        assertEquals("plant/s/press-4/bar/t8", topics.get(301L));
        assertEquals("plant/s/press-3/kPa/t9", topics.get(302L));
        assertEquals("plant/other/press-3/bar/t10", topics.get(0L));
        assertEquals("plant/s/press-3/bar/t11", topics.get(303L));
        assertEquals(31, d.routes().size(), "changed routes replace their tag's; the other connector's tag is new");
    }

    @Test
    void aTagKeepsItsLaneOfTopicAndConnectorAndTag() {
        IotCoreDestinationConfig c = IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "t/{stream}");
        IotCoreDestination d = new IotCoreDestination("d", c);
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 2000; i++) in.add(sample("s", i, i % 2 == 0 ? "a" : "b", "tag." + (i % 97), null, AssetContext.EMPTY));
        for (int round = 0; round < 2; round++) {
            for (Packet p : d.pack(in).packets()) {
                for (OutboundSample s : p.samples()) {
                    int lane = Math.floorMod((s.connector() + '\u0000' + s.sample().tag()).hashCode(), c.maxInFlight());
                    assertTrue(p.orderingKeys().contains("t/s\u0000" + lane), "lane of " + s.connector() + "/" + s.sample().tag());
                }
            }
        }
    }

    @Test
    void tagsOfOneTopicLaneShareOneLaneKeyAndTopicInstance() {
        IotCoreDestinationConfig c = IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "t/{stream}");
        IotCoreDestination.Routes routes = new IotCoreDestination("d", c).routes();
        Map<String, String> first = new HashMap<>();
        String topic = null;
        for (int i = 0; i < 500; i++) {
            IotCoreDestination.Route r = routes.of(sample("s", i, "plc", "tag." + i, null, AssetContext.EMPTY));
            String seen = first.putIfAbsent(r.laneKey, r.laneKey);
            if (seen != null) assertSame(seen, r.laneKey, "tag." + i + ": an equal lane key is the same instance");
            if (topic != null) assertSame(topic, r.topic, "tag." + i + ": the topic is the same instance");
            topic = r.topic;
        }
        assertEquals(c.maxInFlight(), first.size(), "every lane used by 500 tags");
    }

    @Test
    void theRoutesKeptAreBoundedAndStayRightAfterBeingForgotten() {
        IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON, "plant/{tag}"));
        IotCoreDestination.Routes routes = d.routes();
        int n = IotCoreDestination.Routes.MAX_ROUTES + 10;
        for (int i = 0; i < n; i++) {
            OutboundSample s = sample("s", i, "plc", "tag" + i, null, AssetContext.EMPTY);
            assertEquals("plant/tag" + i, routes.of(s).topic);
            assertTrue(routes.size() <= IotCoreDestination.Routes.MAX_ROUTES);
        }
        assertEquals("plant/tag5", routes.of(sample("s", 0, "plc", "tag5", null, AssetContext.EMPTY)).topic);
        assertTrue(routes.size() < 100, "forgotten once full: " + routes.size());
    }
}
