package io.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigBinder;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.Connector;
import io.sluice.runtime.config.ConnectorCommon;
import io.sluice.runtime.config.DestinationCommon;
import io.sluice.runtime.config.Names;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What every connector and destination must satisfy, whoever wrote it. Call these from a test of the plugin's own
 * module, or run them over everything on the class path (the gateway application does).
 *
 * <p>{@link #verifyConnectorPlugin} and {@link #verifyDestinationPlugin} are the whole contract for one type: the
 * factory's type name, description and documented config record; its registration for {@link ServiceLoader} (and
 * no other factory claiming the type); the module's {@code sample.yaml} validating on its own; an instance built
 * from the sample without I/O, that the runtime may stop (or close) without ever having started it, as it does
 * when a start fails; and, for destinations, packing that lands every sample once, in order.
 */
public final class PluginContract {

    private static final java.util.regex.Pattern TYPE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");

    private PluginContract() {}

    /** Where the build puts a module's sample config in its jar (see the parent POM's resources). */
    static String sampleResource(String kind, String type) {
        return "io/sluice/samples/" + kind + "/" + type + "/sample.yaml";
    }

    /** The value every variable a sample names resolves to here (a 16-byte key in hex suits every key). */
    private static final ConfigLoader SAMPLE_LOADER = new ConfigLoader(Plugins.discover(), name -> "00112233445566778899aabbccddeeff");

    /**
     * The whole contract of one connector type; returns the instance its sample configures, for tests that go on
     * to start it. {@code factory} is the module's own factory, e.g. {@code new OpcUaConnectorFactory()}.
     */
    public static ConnectorInstance verifyConnectorPlugin(ConnectorFactory<?> factory) {
        verifyConnectorFactory(factory);
        List<ConnectorFactory<?>> registered = new ArrayList<>();
        for (ConnectorFactory<?> f : ServiceLoader.load(ConnectorFactory.class)) if (f.type().equals(factory.type())) registered.add(f);
        verifyRegistered("connector", factory, registered, "io.sluice.spi.connector.ConnectorFactory");
        GatewayConfig sample = verifySample("connector", factory.type());
        ConnectorInstance instance = sample.connectors().values().stream().filter(c -> c.type().equals(factory.type())).findFirst()
                .orElseThrow(() -> new AssertionError(factory.type() + ": the sample configures no connector of its own type"));
        verifyStopWithoutStart(factory, instance.name(), instance.options());
        return instance;
    }

    /** The whole contract of one destination type; {@code withSample} is false for types that ship none (test sinks). */
    public static DestinationInstance verifyDestinationPlugin(DestinationFactory<?> factory, boolean withSample) {
        verifyDestinationFactory(factory);
        List<DestinationFactory<?>> registered = new ArrayList<>();
        for (DestinationFactory<?> f : ServiceLoader.load(DestinationFactory.class)) if (f.type().equals(factory.type())) registered.add(f);
        verifyRegistered("destination", factory, registered, "io.sluice.spi.destination.DestinationFactory");
        if (!withSample) return null;
        GatewayConfig sample = verifySample("destination", factory.type());
        DestinationInstance instance = sample.destinations().values().stream().filter(d -> d.type().equals(factory.type())).findFirst()
                .orElseThrow(() -> new AssertionError(factory.type() + ": the sample configures no destination of its own type"));
        Destination destination = verifyCloseWithoutStart(factory, instance.name(), instance.options());
        verifyPacking(destination, standardSamples());
        return instance;
    }

    private static void verifyRegistered(String kind, Object factory, List<?> registered, String servicesFile) {
        String type = factory instanceof ConnectorFactory<?> c ? c.type() : ((DestinationFactory<?>) factory).type();
        assertFalse(registered.isEmpty(), kind + " " + type + ": not found by ServiceLoader; list "
                + factory.getClass().getName() + " in META-INF/services/" + servicesFile);
        assertEquals(1, registered.size(), kind + " " + type + ": claimed by several factories " + registered);
        assertEquals(factory.getClass(), registered.get(0).getClass(), kind + " " + type + ": registered by another class");
    }

    /** The module's {@code sample.yaml}, from the class path, validates on its own (variables set). */
    public static GatewayConfig verifySample(String kind, String type) {
        String resource = sampleResource(kind, type);
        URL url = Thread.currentThread().getContextClassLoader().getResource(resource);
        assertNotNull(url, type + ": no " + resource + " on the class path; a plugin ships a sample.yaml in its module folder"
                + " (the build copies it when the POM sets sluice.sample)");
        String text;
        try (InputStream in = url.openStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return SAMPLE_LOADER.parseText(text, type + "/sample.yaml");
        } catch (RuntimeException e) {
            throw new AssertionError(type + ": the sample does not validate: " + e.getMessage(), e);
        }
    }

    /** The runtime stops a connector whose start failed or never ran (a failed start, a reload): that must not throw. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void verifyStopWithoutStart(ConnectorFactory factory, String name, Record config) {
        Connector connector = factory.create(name, config);
        assertNotNull(connector, factory.type() + ": create returned null");
        connector.stop();
    }

    /** The runtime closes a destination whose start failed or never ran: that must not throw. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Destination verifyCloseWithoutStart(DestinationFactory factory, String name, Record config) {
        Destination destination = factory.create(name, config);
        assertNotNull(destination, factory.type() + ": create returned null");
        destination.close();
        return destination;
    }

    /** Three streams of 2,000 samples each, several tags and value types, without asset context. */
    public static List<OutboundSample> standardSamples() {
        List<OutboundSample> samples = new ArrayList<>();
        for (String stream : new String[] {"a", "b", "c"}) {
            for (int i = 0; i < 2000; i++) {
                Value v = switch (i % 3) {
                    case 0 -> Value.of((long) i);
                    case 1 -> Value.of(i / 4.0);
                    default -> Value.of("v" + i);
                };
                samples.add(new OutboundSample(stream, i, "conn", Sample.good("tag" + (i % 7), v, 1_765_000_000_000_000_000L + i), AssetContext.EMPTY));
            }
        }
        return samples;
    }

    /** Type name, description, a documented config record whose defaults bind, no clash with the common keys. */
    public static void verifyConnectorFactory(ConnectorFactory<?> factory) {
        verifyFactory(factory.type(), factory.description(), factory.configType(), ConfigBinder.keysOf(ConnectorCommon.class));
    }

    public static void verifyDestinationFactory(DestinationFactory<?> factory) {
        verifyFactory(factory.type(), factory.description(), factory.configType(), ConfigBinder.keysOf(DestinationCommon.class));
    }

    private static void verifyFactory(String type, String description, Class<? extends Record> configType, Set<String> commonKeys) {
        assertNotNull(type, "type");
        assertTrue(TYPE_NAME.matcher(type).matches(), "type '" + type + "' must be lower-case kebab-case");
        assertTrue(description != null && !description.isBlank(), type + ": description must not be blank");
        assertNotNull(configType, type + ": config type");
        assertTrue(configType.isRecord(), type + ": config type must be a record");
        for (RecordComponent c : configType.getRecordComponents()) {
            String key = Names.kebab(c.getName());
            assertFalse(commonKeys.contains(key), type + ": key '" + key + "' clashes with a key every section has");
        }
        verifyDocumented(type, configType, new HashSet<>());
    }

    @SuppressWarnings("unchecked")
    private static void verifyDocumented(String type, Class<? extends Record> record, Set<Class<?>> seen) {
        if (!seen.add(record)) return;
        for (RecordComponent c : record.getRecordComponents()) {
            String where = type + ": " + record.getSimpleName() + "." + c.getName();
            Doc doc = c.getAnnotation(Doc.class);
            assertTrue(doc != null && !doc.value().isBlank(), where + " needs @Doc (the reference and schema are generated from it)");
            DefaultValue dv = c.getAnnotation(DefaultValue.class);
            if (dv != null) {
                ConfigBinder binder = new ConfigBinder("contract", name -> null);
                Mark mark = new Mark("contract", 0, 0, 0, new int[0], 0);
                Object value = binder.bind(new ScalarNode(Tag.STR, dv.value(), mark, mark, DumperOptions.ScalarStyle.PLAIN), c.getGenericType(), c.getName());
                if (value == null) fail(where + ": @DefaultValue(\"" + dv.value() + "\") does not bind: " + binder.problems());
            }
            for (Class<?> nested : recordsIn(c.getGenericType())) verifyDocumented(type, (Class<? extends Record>) nested, seen);
        }
    }

    private static List<Class<?>> recordsIn(Type t) {
        if (t instanceof ParameterizedType p) {
            return java.util.Arrays.stream(p.getActualTypeArguments()).flatMap(a -> recordsIn(a).stream()).toList();
        }
        if (t instanceof Class<?> c && c.isRecord() && c != io.sluice.spi.config.DataSize.class) return List.of(c);
        return List.of();
    }

    /**
     * Packing: every input sample lands exactly once (in a packet or a rejection), packets respect the destination's
     * size limit, and samples sharing an ordering key keep their stream order across packets.
     */
    public static PackResult verifyPacking(Destination destination, List<OutboundSample> samples) {
        PackResult result = destination.pack(samples);
        DestinationLimits limits = destination.limits();
        Map<OutboundSample, Integer> seen = new HashMap<>();
        Map<String, Long> lastSeqByKeyAndStream = new HashMap<>();
        for (Packet p : result.packets()) {
            assertFalse(p.samples().isEmpty(), "a packet carries at least one sample");
            assertTrue(p.sizeBytes() <= limits.maxPacketBytes(), "packet of " + p.sizeBytes() + " bytes exceeds " + limits.maxPacketBytes());
            for (OutboundSample s : p.samples()) {
                seen.merge(s, 1, Integer::sum);
                for (String key : p.orderingKeys()) {
                    Long last = lastSeqByKeyAndStream.put(key + "\u0000" + s.stream(), s.sequence());
                    if (last != null) assertTrue(s.sequence() > last, "order within ordering key " + key + " kept");
                }
            }
        }
        for (Rejection r : result.rejected()) {
            assertTrue(r.reason() != null && !r.reason().isBlank(), "a rejection says why");
            seen.merge(r.sample(), 1, Integer::sum);
        }
        assertEquals(samples.size(), seen.size(), "every sample packed or rejected");
        seen.forEach((s, n) -> assertEquals(1, n, "sample " + s.stream() + "#" + s.sequence() + " appears once"));
        return result;
    }
}
