package io.sluice.runtime.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runtime.Plugins;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import io.sluice.spi.config.Template;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Generates the JSON Schema (draft-07) of the config file from the same records the loader binds, including every
 * connector and destination type on the class path. Editors use it for completion and inline errors.
 */
public final class ConfigSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigSchema() {}

    public static String generate(Plugins plugins) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "http://json-schema.org/draft-07/schema#");
        root.put("$id", "https://sluice.io/schema/config.schema.json");
        root.put("title", "Sluice gateway configuration");
        root.put("type", "object");
        root.put("additionalProperties", false);
        ObjectNode props = root.putObject("properties");
        props.set("store", recordSchema(StoreConfig.class, Set.of()));
        props.set("admin", recordSchema(AdminConfig.class, Set.of()));
        props.set("logging", recordSchema(LoggingConfig.class, Set.of()));
        ObjectNode connectors = props.putObject("connectors");
        connectors.put("type", "object");
        connectors.put("description", "Connector instances by name.");
        ArrayNode connectorTypes = connectors.putObject("additionalProperties").putArray("oneOf");
        plugins.connectors().forEach((type, f) -> connectorTypes.add(typed(type, f.description(), ConnectorCommon.class, f.configType())));
        ObjectNode streams = props.putObject("streams");
        streams.put("type", "object");
        streams.put("description", "Streams by name.");
        streams.set("additionalProperties", recordSchema(StreamConfig.class, Set.of()));
        props.set("routes", array(recordSchema(RouteConfig.class, Set.of()), "Routing rules, first match wins."));
        ObjectNode destinations = props.putObject("destinations");
        destinations.put("type", "object");
        destinations.put("description", "Destination instances by name.");
        ArrayNode destinationTypes = destinations.putObject("additionalProperties").putArray("oneOf");
        plugins.destinations().forEach((type, f) -> destinationTypes.add(typed(type, f.description(), DestinationCommon.class, f.configType())));
        props.set("assets", array(recordSchema(AssetRule.class, Set.of()), "Asset context rules."));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode typed(String type, String description, Class<? extends Record> common, Class<? extends Record> options) {
        ObjectNode schema = recordSchema(common, Set.of());
        ObjectNode specific = recordSchema(options, Set.of());
        schema.put("description", description);
        ObjectNode props = (ObjectNode) schema.get("properties");
        specific.get("properties").fields().forEachRemaining(e -> props.set(e.getKey(), e.getValue()));
        ObjectNode typeProp = props.putObject("type");
        typeProp.put("const", type);
        ArrayNode required = (ArrayNode) schema.get("required");
        if (specific.has("required")) specific.get("required").forEach(required::add);
        return schema;
    }

    private static ObjectNode array(ObjectNode items, String description) {
        ObjectNode a = JSON.createObjectNode();
        a.put("type", "array");
        a.put("description", description);
        a.set("items", items);
        return a;
    }

    static ObjectNode recordSchema(Class<? extends Record> type, Set<String> skip) {
        ObjectNode schema = JSON.createObjectNode();
        schema.put("type", "object");
        Doc doc = type.getAnnotation(Doc.class);
        if (doc != null) schema.put("description", doc.value());
        schema.put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (RecordComponent c : type.getRecordComponents()) {
            String key = Names.kebab(c.getName());
            if (skip.contains(key)) continue;
            ObjectNode p = typeSchema(c.getGenericType());
            Doc d = c.getAnnotation(Doc.class);
            if (d != null) p.put("description", d.value());
            DefaultValue dv = c.getAnnotation(DefaultValue.class);
            if (dv != null) p.put("default", dv.value());
            Range r = c.getAnnotation(Range.class);
            if (r != null && (p.path("type").asText().equals("integer") || p.path("type").asText().equals("number"))) {
                if (Double.isFinite(r.min())) p.put("minimum", r.min());
                if (Double.isFinite(r.max())) p.put("maximum", r.max());
            }
            io.sluice.spi.config.Pattern pattern = c.getAnnotation(io.sluice.spi.config.Pattern.class);
            if (pattern != null) p.put("pattern", "^(" + pattern.regex() + ")$");
            props.set(key, p);
            io.sluice.spi.config.FormerKey former = c.getAnnotation(io.sluice.spi.config.FormerKey.class);
            if (former != null) {
                ObjectNode old = p.deepCopy();
                old.put("description", "Deprecated: the old name of `" + key + "` (still accepted, with a warning).");
                old.put("deprecated", true);
                old.remove("default");
                props.set(former.value(), old);
            }
            Class<?> raw = c.getType();
            if (dv == null && raw != Optional.class && raw != List.class && raw != Map.class) required.add(key);
        }
        return schema;
    }

    @SuppressWarnings("unchecked")
    static ObjectNode typeSchema(Type type) {
        ObjectNode s = JSON.createObjectNode();
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class) return typeSchema(args[0]);
            if (raw == List.class) {
                s.put("type", "array");
                s.set("items", typeSchema(args[0]));
                return s;
            }
            if (raw == Map.class) {
                s.put("type", "object");
                s.set("additionalProperties", typeSchema(args[1]));
                return s;
            }
        }
        Class<?> cls = (Class<?>) type;
        if (cls == String.class || cls == Template.class || cls == Secret.class) s.put("type", "string");
        else if (cls == boolean.class || cls == Boolean.class) s.put("type", "boolean");
        else if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) s.put("type", "integer");
        else if (cls == double.class || cls == Double.class) s.put("type", "number");
        else if (cls == Duration.class) {
            s.put("type", "string");
            s.put("pattern", "^\\d+(\\.\\d+)?\\s*(ns|us|ms|s|m|h|d)$");
        } else if (cls == DataSize.class) {
            s.put("type", "string");
            s.put("pattern", "^\\d+(\\.\\d+)?\\s*([kKmMgGtT][iI]?)?[bB]?$");
        } else if (cls == FreeSpace.class) {
            s.put("type", "string");
            s.put("pattern", "^\\d+(\\.\\d+)?\\s*(%|([kKmMgGtT][iI]?)?[bB]?)$");
        } else if (cls.isEnum()) {
            ArrayNode values = s.putArray("enum");
            for (Object e : cls.getEnumConstants()) values.add(Names.enumValue((Enum<?>) e));
        } else if (cls.isRecord()) {
            return recordSchema((Class<? extends Record>) cls, Set.of());
        } else {
            s.put("type", "string");
        }
        return s;
    }
}
