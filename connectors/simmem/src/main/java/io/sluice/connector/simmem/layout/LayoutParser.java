package io.sluice.connector.simmem.layout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a layout from YAML or JSON text and checks it: known keys, types, unique names, offsets (given, or
 * computed under {@code pack}), no field overlapping another or running past {@code size}, and that the counter,
 * session, lap and identity fields exist with usable types. Every problem is reported, not just the first.
 */
public final class LayoutParser {

    private static final Set<String> TOP_KEYS = Set.of("name", "description", "mapping-name", "path", "size",
            "tag-prefix", "update-counter", "refresh", "pack", "session-fields", "lap-fields", "identity-fields",
            "fields");
    private static final Set<String> FIELD_KEYS = Set.of("name", "type", "offset", "unit", "scale", "description");
    private static final Set<String> LAP_ROLES = Set.of("completed-laps", "lap-time-ms", "valid", "sector-index",
            "sector-time-ms");
    private static final Set<String> IDENTITY_ROLES = Set.of("car", "track");

    private LayoutParser() {}

    public static Layout parse(String text, String source) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new LayoutException(source, List.of("not valid YAML or JSON: " + e.getMessage().replace('\n', ' ')));
        }
        List<String> problems = new ArrayList<>();
        if (!(root instanceof Map<?, ?> top)) {
            throw new LayoutException(source, List.of("expected a mapping with name, size and fields at the top"));
        }
        for (Object key : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(key))) {
                problems.add(key + ": unknown key; expected one of " + new java.util.TreeSet<>(TOP_KEYS));
            }
        }
        String name = string(top, "name", problems, true);
        if (name != null && !name.matches("[a-z0-9][a-z0-9._-]*")) {
            problems.add("name: expected lower-case letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        String description = Optional.ofNullable(string(top, "description", problems, false)).orElse("");
        String mappingName = string(top, "mapping-name", problems, false);
        String path = string(top, "path", problems, false);
        if (mappingName == null && path == null) {
            problems.add("mapping-name / path: at least one is required (Windows mapping name, POSIX path)");
        }
        Integer size = integer(top, "size", problems, true, 1, Integer.MAX_VALUE);
        String tagPrefix = string(top, "tag-prefix", problems, false);
        if (tagPrefix == null) tagPrefix = name;
        String counter = string(top, "update-counter", problems, false);
        Integer pack = integer(top, "pack", problems, false, 1, 8);
        if (pack != null && Integer.bitCount(pack) != 1) problems.add("pack: expected 1, 2, 4 or 8, got " + pack);
        int packing = pack == null ? 8 : pack;
        Layout.Refresh refresh;
        String refreshText = string(top, "refresh", problems, false);
        if (refreshText == null) {
            refresh = counter != null ? Layout.Refresh.COUNTER : Layout.Refresh.INTERVAL;
        } else {
            refresh = switch (refreshText) {
                case "counter" -> Layout.Refresh.COUNTER;
                case "interval" -> Layout.Refresh.INTERVAL;
                case "session" -> Layout.Refresh.SESSION;
                default -> {
                    problems.add("refresh: expected counter, interval or session, got '" + refreshText + "'");
                    yield Layout.Refresh.INTERVAL;
                }
            };
            if (refresh == Layout.Refresh.COUNTER && counter == null) {
                problems.add("refresh: 'counter' needs update-counter");
            }
            if (refresh != Layout.Refresh.COUNTER && counter != null) {
                problems.add("refresh: a page with an update-counter is read on every counter change; leave refresh out");
            }
        }
        List<String> sessionFields = stringList(top, "session-fields", problems);
        Map<String, String> lapFields = roleMap(top, "lap-fields", LAP_ROLES, problems);
        Map<String, String> identityFields = roleMap(top, "identity-fields", IDENTITY_ROLES, problems);

        List<Field> fields = new ArrayList<>();
        Object rawFields = top.get("fields");
        if (!(rawFields instanceof List<?> list) || list.isEmpty()) {
            problems.add("fields: expected a non-empty list of {name, type, offset}");
        } else {
            int next = 0;
            Set<String> names = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String at = "fields[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> f)) {
                    problems.add(at + ": expected a mapping with name, type and offset");
                    continue;
                }
                for (Object key : f.keySet()) {
                    if (!FIELD_KEYS.contains(String.valueOf(key))) {
                        problems.add(at + "." + key + ": unknown key; expected one of " + new java.util.TreeSet<>(FIELD_KEYS));
                    }
                }
                String fieldName = string(f, "name", problems, true, at);
                if (fieldName != null && !fieldName.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    problems.add(at + ".name: expected an identifier (letters, digits, '_'), got '" + fieldName + "'");
                }
                if (fieldName != null && !names.add(fieldName)) {
                    problems.add(at + ".name: '" + fieldName + "' appears twice");
                }
                String typeText = string(f, "type", problems, true, at);
                FieldType type = null;
                if (typeText != null) {
                    try {
                        type = FieldType.parse(typeText);
                    } catch (IllegalArgumentException e) {
                        problems.add(at + ".type: " + e.getMessage());
                    }
                }
                Integer offset = integer(f, "offset", problems, false, 0, Integer.MAX_VALUE, at);
                if (type == null || fieldName == null) continue;
                int align = Math.min(type.alignment(), packing);
                int fieldOffset = offset != null ? offset : (next + align - 1) / align * align;
                String unit = string(f, "unit", problems, false, at);
                double scale = 1.0;
                if (f.containsKey("scale")) {
                    if (f.get("scale") instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() != 0) {
                        scale = n.doubleValue();
                        if (!type.scalar().isNumeric()) problems.add(at + ".scale: only numeric fields can be scaled");
                    } else {
                        problems.add(at + ".scale: expected a non-zero number, got '" + f.get("scale") + "'");
                    }
                }
                String fieldDescription = string(f, "description", problems, false, at);
                fields.add(new Field(fieldName, type, fieldOffset, unit, scale, fieldDescription));
                next = fieldOffset + type.size();
            }
        }
        fields.sort(Comparator.comparingInt(Field::offset));
        if (size != null) checkPlacement(fields, size, problems);
        Map<String, Field> byName = new LinkedHashMap<>();
        fields.forEach(f -> byName.put(f.name(), f));
        if (counter != null) {
            Field c = byName.get(counter);
            if (c == null) {
                problems.add("update-counter: no field named '" + counter + "'");
            } else if (!c.type().isScalar() || !isCounterType(c.type().scalar())) {
                problems.add("update-counter: '" + counter + "' must be a scalar int32, uint32 or int64, is " + c.type());
            } else if (c.offset() % c.type().scalar().bytes() != 0) {
                problems.add("update-counter: '" + counter + "' must be aligned to " + c.type().scalar().bytes() + " bytes");
            }
        }
        for (int i = 0; i < sessionFields.size(); i++) {
            Field f = byName.get(sessionFields.get(i));
            if (f == null) problems.add("session-fields[" + i + "]: no field named '" + sessionFields.get(i) + "'");
        }
        lapFields.forEach((role, fieldName) -> {
            Field f = byName.get(fieldName);
            if (f == null) {
                problems.add("lap-fields." + role + ": no field named '" + fieldName + "'");
            } else if (!f.type().isScalar() || !(f.type().scalar().isInteger() || f.type().scalar() == ScalarType.BOOL)) {
                problems.add("lap-fields." + role + ": '" + fieldName + "' must be a scalar integer or bool, is " + f.type());
            }
        });
        if (!lapFields.isEmpty() && (!lapFields.containsKey("completed-laps") || !lapFields.containsKey("lap-time-ms"))) {
            problems.add("lap-fields: completed-laps and lap-time-ms are required when lap-fields is given");
        }
        identityFields.forEach((role, fieldName) -> {
            Field f = byName.get(fieldName);
            if (f == null) {
                problems.add("identity-fields." + role + ": no field named '" + fieldName + "'");
            } else if (!f.type().scalar().isString() || f.type().arrayRank() != 0) {
                problems.add("identity-fields." + role + ": '" + fieldName + "' must be a string field, is " + f.type());
            }
        });
        if (!problems.isEmpty()) throw new LayoutException(source, problems);
        return new Layout(name, description, mappingName, path, size, tagPrefix, Optional.ofNullable(counter), refresh,
                sessionFields, lapFields, identityFields, fields, source);
    }

    private static boolean isCounterType(ScalarType t) {
        return t == ScalarType.INT32 || t == ScalarType.UINT32 || t == ScalarType.INT64;
    }

    private static void checkPlacement(List<Field> sorted, int size, List<String> problems) {
        Field previous = null;
        for (Field f : sorted) {
            if (f.end() > size) {
                problems.add("fields." + f.name() + ": bytes " + f.offset() + ".." + (f.end() - 1)
                        + " run past the page size " + size);
            }
            if (previous != null && f.offset() < previous.end()) {
                problems.add("fields." + f.name() + ": bytes " + f.offset() + ".." + (f.end() - 1) + " overlap '"
                        + previous.name() + "' (bytes " + previous.offset() + ".." + (previous.end() - 1) + ")");
            }
            if (previous == null || f.end() > previous.end()) previous = f;
        }
    }

    private static String string(Map<?, ?> map, String key, List<String> problems, boolean required) {
        return string(map, key, problems, required, null);
    }

    private static String string(Map<?, ?> map, String key, List<String> problems, boolean required, String at) {
        String path = at == null ? key : at + "." + key;
        Object v = map.get(key);
        if (v == null) {
            if (required) problems.add(path + ": required");
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            problems.add(path + ": expected a string");
            return null;
        }
        return String.valueOf(v);
    }

    private static Integer integer(Map<?, ?> map, String key, List<String> problems, boolean required, int min, int max) {
        return integer(map, key, problems, required, min, max, null);
    }

    private static Integer integer(Map<?, ?> map, String key, List<String> problems, boolean required, int min, int max,
                                   String at) {
        String path = at == null ? key : at + "." + key;
        Object v = map.get(key);
        if (v == null) {
            if (required) problems.add(path + ": required");
            return null;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
                || ((Number) v).longValue() > max) {
            problems.add(path + ": expected a whole number " + min + ".." + max + ", got '" + v + "'");
            return null;
        }
        return ((Number) v).intValue();
    }

    private static List<String> stringList(Map<?, ?> map, String key, List<String> problems) {
        Object v = map.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) {
            problems.add(key + ": expected a list of field names");
            return List.of();
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static Map<String, String> roleMap(Map<?, ?> map, String key, Set<String> roles, List<String> problems) {
        Object v = map.get(key);
        if (v == null) return Map.of();
        if (!(v instanceof Map<?, ?> m)) {
            problems.add(key + ": expected a mapping of role to field name, roles " + new java.util.TreeSet<>(roles));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((role, field) -> {
            if (!roles.contains(String.valueOf(role))) {
                problems.add(key + "." + role + ": unknown role; expected one of " + new java.util.TreeSet<>(roles));
            } else {
                out.put(String.valueOf(role), String.valueOf(field));
            }
        });
        return out;
    }
}
