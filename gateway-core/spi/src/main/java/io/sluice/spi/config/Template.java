package io.sluice.spi.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A string with {@code {placeholder}} parts, such as {@code /{site}/{area}/{machine}/{tag}} for SiteWise aliases or
 * {@code sluice/{connector}/{stream}} for MQTT topics. Parsed once at config time, rendered per record.
 */
public final class Template {

    private final String source;
    private final List<String> literals = new ArrayList<>();
    private final List<String> placeholders = new ArrayList<>();

    private Template(String source) {
        this.source = source;
    }

    /** Parses a template; throws IllegalArgumentException for an unclosed or empty placeholder. */
    public static Template parse(String source) {
        Template t = new Template(source);
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '{') {
                int close = source.indexOf('}', i);
                if (close < 0) throw new IllegalArgumentException("unclosed '{' at position " + i + " in '" + source + "'");
                String name = source.substring(i + 1, close).trim();
                if (name.isEmpty()) throw new IllegalArgumentException("empty placeholder '{}' in '" + source + "'");
                t.literals.add(literal.toString());
                literal.setLength(0);
                t.placeholders.add(name);
                i = close + 1;
            } else {
                literal.append(c);
                i++;
            }
        }
        t.literals.add(literal.toString());
        return t;
    }

    public List<String> placeholders() {
        return List.copyOf(placeholders);
    }

    /** Placeholders not in {@code known}; empty when the template is valid for that set. */
    public List<String> unknownPlaceholders(Set<String> known) {
        return placeholders.stream().filter(p -> !known.contains(p)).toList();
    }

    /** Renders with {@code lookup}; a placeholder that resolves to null renders as {@code missing}. */
    public String render(Function<String, String> lookup, String missing) {
        StringBuilder sb = new StringBuilder(source.length() + 32);
        for (int i = 0; i < placeholders.size(); i++) {
            sb.append(literals.get(i));
            String v = lookup.apply(placeholders.get(i));
            sb.append(v == null ? missing : v);
        }
        sb.append(literals.get(literals.size() - 1));
        return sb.toString();
    }

    @Override
    public String toString() {
        return source;
    }

    /** Two templates are equal when written the same, so an unchanged config compares equal after a reload. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }
}
