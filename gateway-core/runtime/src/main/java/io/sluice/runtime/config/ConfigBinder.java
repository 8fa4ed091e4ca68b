package io.sluice.runtime.config;

import io.sluice.spi.Durations;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import io.sluice.spi.config.Template;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Binds a YAML node tree to typed records (see the contract in {@link io.sluice.spi.connector.ConnectorFactory}).
 * Every problem is collected with its file, line, column and key path; binding goes on after an error so one run
 * reports them all. A value that could not be bound comes back as {@code null}.
 */
public final class ConfigBinder {

    private static final java.util.regex.Pattern ENV = java.util.regex.Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final String file;
    private final Function<String, String> environment;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    private final List<FileReference> files = new ArrayList<>();
    /** Fills what did not bind with a stand-in instead of giving up; see {@link #lenient()}. */
    private final boolean lenient;

    /** A value of an {@link ExistingFile} key, where it was written and what it names. */
    private record FileReference(String value, String what, Node node, String keyPath) {}

    public ConfigBinder(String file, Function<String, String> environment) {
        this(file, environment, false);
    }

    private ConfigBinder(String file, Function<String, String> environment, boolean lenient) {
        this.file = file;
        this.environment = environment;
        this.lenient = lenient;
    }

    /**
     * A scratch binder that binds what it can: a value that does not fit becomes its default, an empty
     * optional/list/map, zero or null, so a factory's semantic checks can still run over the rest of a section that has
     * a structural error. Its problems repeat the strict pass's and are only used to know which key paths broke.
     */
    public ConfigBinder lenient() {
        return new ConfigBinder(file, environment, true);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Things that do not stop the config from running but are probably not meant (see {@code sluice validate}). */
    public List<ConfigProblem> warnings() {
        return warnings;
    }

    public void warning(Node node, String path, String message) {
        int line = node == null ? 0 : node.getStartMark().getLine() + 1;
        int column = node == null ? 0 : node.getStartMark().getColumn() + 1;
        warnings.add(new ConfigProblem(file, line, column, path, message));
    }

    public void problem(Node node, String path, String message) {
        int line = node == null ? 0 : node.getStartMark().getLine() + 1;
        int column = node == null ? 0 : node.getStartMark().getColumn() + 1;
        problems.add(new ConfigProblem(file, line, column, path, message));
    }

    /**
     * A reporter for a factory's {@code validate}: relative key paths are resolved against {@code section} to
     * find the line and column.
     */
    public ProblemReporter reporterFor(Node section, String sectionPath) {
        return (relative, message) -> {
            Node target = find(section, relative);
            problem(target == null ? section : target, relative.isEmpty() ? sectionPath : sectionPath + "." + relative, message);
        };
    }

    /** Finds the node at a relative path like {@code nodes[2].deadband}, or null. */
    public static Node find(Node root, String relativePath) {
        Node current = root;
        if (relativePath == null || relativePath.isEmpty()) return current;
        for (String part : relativePath.split("\\.")) {
            String key = part;
            List<Integer> indexes = new ArrayList<>();
            int bracket = part.indexOf('[');
            if (bracket >= 0) {
                key = part.substring(0, bracket);
                Matcher m = java.util.regex.Pattern.compile("\\[(\\d+)]").matcher(part.substring(bracket));
                while (m.find()) indexes.add(Integer.parseInt(m.group(1)));
            }
            if (!key.isEmpty()) {
                if (!(current instanceof MappingNode mapping)) return current;
                Node next = null;
                for (NodeTuple t : mapping.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) next = t.getValueNode();
                }
                if (next == null) return current;
                current = next;
            }
            for (int index : indexes) {
                if (!(current instanceof SequenceNode seq) || index >= seq.getValue().size()) return current;
                current = seq.getValue().get(index);
            }
        }
        return current;
    }

    /** The kebab-case keys of a record type. */
    public static Set<String> keysOf(Class<? extends Record> type) {
        Set<String> keys = new LinkedHashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            keys.add(Names.kebab(c.getName()));
            io.sluice.spi.config.FormerKey former = c.getAnnotation(io.sluice.spi.config.FormerKey.class);
            if (former != null) keys.add(former.value());
        }
        return keys;
    }

    public static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode s && Tag.NULL.equals(s.getTag()));
    }

    /** The entries of a mapping node in file order, keyed by their scalar keys. */
    public Map<String, Node> entries(Node node, String path) {
        Map<String, Node> result = new LinkedHashMap<>();
        if (isNull(node)) return result;
        if (!(node instanceof MappingNode mapping)) {
            problem(node, path, "expected a mapping of keys to values, got " + describe(node));
            return null;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problem(tuple.getKeyNode(), path, "keys must be plain strings");
                continue;
            }
            if (result.put(key.getValue(), tuple.getValueNode()) != null) {
                problem(key, path + "." + key.getValue(), "key appears twice");
            }
        }
        return result;
    }

    /** Binds a mapping node to a record; unknown keys are problems unless listed in {@code ownedElsewhere}. */
    public <R extends Record> R bindRecord(Node node, Class<R> type, String path, Set<String> ownedElsewhere) {
        return bindRecord(node, type, path, ownedElsewhere, true);
    }

    /**
     * Binds a mapping node to a record. Keys in {@code ownedElsewhere} belong to another record bound from the same
     * mapping (a connector's common keys and its type's keys); with {@code reportUnknown} false, keys this record
     * does not know are left for the other pass to report.
     */
    public <R extends Record> R bindRecord(Node node, Class<R> type, String path, Set<String> ownedElsewhere, boolean reportUnknown) {
        Map<String, Node> entries = entries(node, path);
        if (entries == null) return null;
        RecordComponent[] components = type.getRecordComponents();
        Set<String> known = new LinkedHashSet<>();
        Set<String> formerKeys = new LinkedHashSet<>();
        for (RecordComponent c : components) {
            known.add(Names.kebab(c.getName()));
            io.sluice.spi.config.FormerKey former = c.getAnnotation(io.sluice.spi.config.FormerKey.class);
            if (former != null) formerKeys.add(former.value());
        }
        for (Map.Entry<String, Node> e : entries.entrySet()) {
            if (reportUnknown && !known.contains(e.getKey()) && !formerKeys.contains(e.getKey()) && !ownedElsewhere.contains(e.getKey())) {
                Set<String> all = new LinkedHashSet<>(known);
                all.addAll(ownedElsewhere);
                String suggestion = Names.closest(e.getKey(), all);
                problem(keyNode(node, e.getKey()), child(path, e.getKey()), "unknown key '" + e.getKey() + "'"
                        + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; expected one of " + known));
            }
        }
        Object[] args = new Object[components.length];
        boolean complete = true;
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String key = Names.kebab(c.getName());
            String keyPath = child(path, key);
            Node valueNode = entries.get(key);
            io.sluice.spi.config.FormerKey former = c.getAnnotation(io.sluice.spi.config.FormerKey.class);
            if (former != null && entries.containsKey(former.value()) && reportUnknown) {
                Node formerKey = keyNode(node, former.value());
                if (valueNode != null) {
                    problem(formerKey, child(path, former.value()), "'" + former.value() + "' is the old name of '" + key
                            + "'; write only '" + key + "'");
                } else {
                    valueNode = entries.get(former.value());
                    warning(formerKey, child(path, former.value()), "'" + former.value() + "' is deprecated; write '"
                            + key + "' (the old name is still accepted)");
                }
            } else if (former != null && valueNode == null) {
                valueNode = entries.get(former.value());
            }
            Object value;
            if (isNull(valueNode)) {
                value = absent(c, keyPath, node);
            } else {
                value = bind(valueNode, c.getGenericType(), keyPath);
                if (value != null) {
                    checkRange(c, value, valueNode, keyPath);
                    noteFiles(c, value, valueNode, keyPath);
                }
            }
            if (value == null && lenient) value = standIn(c);
            if (value == null && !(lenient && !c.getType().isPrimitive())) complete = false;
            args[i] = value;
        }
        if (!complete) return null;
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            problem(node, path, e.getCause().getMessage());
            return null;
        } catch (IllegalArgumentException e) {
            if (lenient) return null; // a stand-in the record's constructor does not take
            throw e;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct config record " + type.getName(), e);
        }
    }

    private Node keyNode(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) return k;
            }
        }
        return mapping;
    }

    private Object absent(RecordComponent c, String keyPath, Node parent) {
        DefaultValue dv = c.getAnnotation(DefaultValue.class);
        if (dv != null) {
            Object value = bind(new ScalarNode(Tag.STR, dv.value(), parent.getStartMark(), parent.getEndMark(), org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN),
                    c.getGenericType(), keyPath);
            if (value == null) throw new IllegalStateException("bad @DefaultValue on " + c);
            return value;
        }
        Class<?> t = c.getType();
        if (t == Optional.class) return Optional.empty();
        if (t == List.class) return List.of();
        if (t == Map.class) return Map.of();
        problem(parent, keyPath, "missing required key '" + Names.kebab(c.getName()) + "' (expected " + expected(c.getGenericType()) + ")");
        return null;
    }

    /** What a lenient binder puts where a value did not bind. */
    private Object standIn(RecordComponent c) {
        DefaultValue dv = c.getAnnotation(DefaultValue.class);
        if (dv != null) {
            Object value = bind(new ScalarNode(Tag.STR, dv.value(), null, null, org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN),
                    c.getGenericType(), "");
            if (value != null) return value;
        }
        Class<?> t = c.getType();
        if (t == Optional.class) return Optional.empty();
        if (t == List.class) return List.of();
        if (t == Map.class) return Map.of();
        if (t == boolean.class) return false;
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == double.class) return 0.0;
        return null;
    }

    private void checkRange(RecordComponent c, Object value, Node node, String keyPath) {
        if (value instanceof Optional<?> optional) value = optional.orElse(null);
        Range range = c.getAnnotation(Range.class);
        if (range != null && value instanceof Number n) {
            double d = n.doubleValue();
            if (d < range.min() || d > range.max()) {
                problem(node, keyPath, "expected a value between " + fmt(range.min()) + " and " + fmt(range.max()) + ", got " + value);
            }
        }
        io.sluice.spi.config.Pattern pattern = c.getAnnotation(io.sluice.spi.config.Pattern.class);
        if (pattern != null && value instanceof String s && !s.matches(pattern.regex())) {
            problem(node, keyPath, "expected " + pattern.expected() + ", got '" + s + "'");
        }
    }

    private void noteFiles(RecordComponent c, Object value, Node node, String keyPath) {
        ExistingFile annotation = c.getAnnotation(ExistingFile.class);
        if (annotation == null) return;
        if (value instanceof Optional<?> optional) value = optional.orElse(null);
        if (value instanceof String s) {
            noteFile(annotation, s, node, keyPath);
        } else if (value instanceof List<?> list && node instanceof SequenceNode seq) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof String s) noteFile(annotation, s, seq.getValue().get(i), keyPath + "[" + i + "]");
            }
        }
    }

    private void noteFile(ExistingFile annotation, String value, Node node, String keyPath) {
        boolean names = annotation.suffixes().length == 0;
        for (String suffix : annotation.suffixes()) names |= value.endsWith(suffix);
        if (names) files.add(new FileReference(value, annotation.value(), node, keyPath));
    }

    /**
     * Checks that every file named by an {@link ExistingFile} key bound so far exists and is readable, recording a
     * problem (with the resolved path) for each that is not. Reads nothing but file metadata and opens nothing remote.
     */
    public void checkFiles() {
        for (FileReference f : files) {
            Path path;
            try {
                path = Path.of(f.value()).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                problem(f.node(), f.keyPath(), f.what() + " '" + f.value() + "' is not a valid path: " + e.getReason());
                continue;
            }
            if (!Files.exists(path)) {
                problem(f.node(), f.keyPath(), f.what() + " not found: " + path);
            } else if (Files.isDirectory(path)) {
                problem(f.node(), f.keyPath(), f.what() + " is a directory, expected a file: " + path);
            } else if (!Files.isReadable(path)) {
                problem(f.node(), f.keyPath(), f.what() + " is not readable (permission denied): " + path);
            }
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** Binds any supported type; returns null (and records a problem) when the node does not fit. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object bind(Node node, Type type, String path) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
            if (raw == Optional.class) {
                if (isNull(node)) return Optional.empty();
                Object v = bind(node, arg, path);
                return v == null ? null : Optional.of(v);
            }
            if (raw == List.class) {
                if (isNull(node)) return List.of();
                if (!(node instanceof SequenceNode seq)) {
                    problem(node, path, "expected a list, got " + describe(node));
                    return null;
                }
                List<Object> out = new ArrayList<>();
                boolean ok = true;
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Object v = bind(seq.getValue().get(i), arg, path + "[" + i + "]");
                    if (v == null) ok = false;
                    out.add(v);
                }
                if (lenient) return java.util.Collections.unmodifiableList(out); // keeps indexes for the checks
                return ok ? List.copyOf(out) : null;
            }
            if (raw == Map.class) {
                Map<String, Node> entries = entries(node, path);
                if (entries == null) return null;
                Map<String, Object> out = new LinkedHashMap<>();
                boolean ok = true;
                for (Map.Entry<String, Node> e : entries.entrySet()) {
                    Object v = bind(e.getValue(), arg, child(path, e.getKey()));
                    if (v == null) ok = false;
                    out.put(e.getKey(), v);
                }
                return ok || lenient ? java.util.Collections.unmodifiableMap(out) : null;
            }
            throw new IllegalStateException("unsupported config type " + type);
        }
        Class<?> cls = (Class<?>) type;
        if (cls.isRecord() && cls != DataSize.class && cls != FreeSpace.class) return bindRecord(node, (Class<? extends Record>) cls, path, Set.of());
        if (!(node instanceof ScalarNode scalar)) {
            problem(node, path, "expected " + expected(type) + ", got " + describe(node));
            return null;
        }
        String text = substitute(scalar, path);
        if (text == null) return null;
        try {
            if (cls == String.class) return text;
            if (cls == Secret.class) return new Secret(text);
            if (cls == boolean.class || cls == Boolean.class) {
                if (text.equals("true")) return true;
                if (text.equals("false")) return false;
                throw new IllegalArgumentException();
            }
            if (cls == int.class || cls == Integer.class) return Integer.parseInt(text.replace("_", ""));
            if (cls == long.class || cls == Long.class) return Long.parseLong(text.replace("_", ""));
            if (cls == double.class || cls == Double.class) {
                double d = Double.parseDouble(text);
                if (Double.isNaN(d)) throw new IllegalArgumentException();
                return d;
            }
            if (cls == Duration.class) return Durations.parse(text);
            if (cls == DataSize.class) return DataSize.parse(text);
            if (cls == FreeSpace.class) return FreeSpace.parse(text);
            if (cls == Template.class) return Template.parse(text);
            if (cls.isEnum()) {
                for (Object constant : cls.getEnumConstants()) {
                    if (Names.enumValue((Enum<?>) constant).equals(text)) return constant;
                }
                List<String> allowed = Arrays.stream(cls.getEnumConstants()).map(e -> Names.enumValue((Enum<?>) e)).toList();
                String suggestion = Names.closest(text, allowed);
                problem(node, path, "expected one of " + allowed + ", got '" + text + "'"
                        + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : ""));
                return null;
            }
        } catch (IllegalArgumentException e) {
            problem(node, path, "expected " + expected(type) + ", got '" + text + "'");
            return null;
        }
        throw new IllegalStateException("unsupported config type " + type);
    }

    private String substitute(ScalarNode scalar, String path) {
        String text = scalar.getValue();
        if (!text.contains("${")) return text;
        Matcher m = ENV.matcher(text);
        StringBuilder sb = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String value = environment.apply(m.group(1));
            if (value == null) value = m.group(2);
            if (value == null) {
                problem(scalar, path, "environment variable " + m.group(1) + " is not set");
                ok = false;
                value = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return ok ? sb.toString() : null;
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        if (node instanceof ScalarNode s) return "'" + s.getValue() + "'";
        return "nothing";
    }

    /** What a value of this type looks like, for error messages and the schema. */
    public static String expected(Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (raw == List.class) return "a list";
            if (raw == Map.class) return "a mapping";
            return expected(p.getActualTypeArguments()[0]);
        }
        Class<?> cls = (Class<?>) type;
        if (cls == String.class || cls == Template.class) return "a string";
        if (cls == Secret.class) return "a secret string (e.g. ${env:NAME})";
        if (cls == boolean.class || cls == Boolean.class) return "true or false";
        if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) return "an integer";
        if (cls == double.class || cls == Double.class) return "a number";
        if (cls == Duration.class) return "a duration such as 500ms, 5s or 7d";
        if (cls == DataSize.class) return "a size such as 64KB, 256MB or 1GB";
        if (cls == FreeSpace.class) return "a size such as 256MB or a percentage such as 5%";
        if (cls.isEnum()) return "one of " + Arrays.stream(cls.getEnumConstants()).map(e -> Names.enumValue((Enum<?>) e)).toList();
        if (cls.isRecord() && cls != DataSize.class && cls != FreeSpace.class) return "a mapping";
        return cls.getSimpleName();
    }
}
