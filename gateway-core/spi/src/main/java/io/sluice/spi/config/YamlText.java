package io.sluice.spi.config;

import java.util.Locale;

/** Pieces of YAML text for the commands that print config to paste ({@code --emit-config}, {@code init}). */
public final class YamlText {

    private YamlText() {}

    /** A YAML double-quoted scalar: quotes and backslashes escaped, control characters as {@code \xNN}. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') sb.append('\\').append(ch);
            else if (ch < 0x20) sb.append(String.format("\\x%02x", (int) ch));
            else sb.append(ch);
        }
        return sb.append('"').toString();
    }

    /**
     * A config name made of {@code text}: lower case, runs of anything but {@code a-z 0-9 . _ -} as one {@code -},
     * none at either end; {@code fallback} when nothing is left.
     */
    public static String name(String text, String fallback) {
        String name = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return name.isEmpty() ? fallback : name;
    }
}
