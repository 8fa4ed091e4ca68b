package io.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.runtime.config.ConfigBinder;
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
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What every connector and destination must satisfy, whoever wrote it. Call these from a test of the plugin's own
 * module, or run them over everything on the class path (the gateway application does).
 */
public final class PluginContract {

    private static final java.util.regex.Pattern TYPE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");

    private PluginContract() {}

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
                String k = p.orderingKey() + "\u0000" + s.stream();
                Long last = lastSeqByKeyAndStream.put(k, s.sequence());
                if (last != null) assertTrue(s.sequence() > last, "order within ordering key " + p.orderingKey() + " kept");
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
