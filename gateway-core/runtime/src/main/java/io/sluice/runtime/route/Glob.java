package io.sluice.runtime.route;

import java.util.regex.Pattern;

/** Shell-style globs for tag and connector names: {@code *} any run of characters, {@code ?} one character. */
public final class Glob {

    private final Pattern pattern;
    private final boolean matchesAll;

    private Glob(String glob) {
        this.matchesAll = glob.equals("*");
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.pattern = Pattern.compile(regex.toString(), Pattern.DOTALL); // any character, line breaks too
    }

    public static Glob compile(String glob) {
        if (glob == null || glob.isEmpty()) throw new IllegalArgumentException("a glob must not be empty");
        return new Glob(glob);
    }

    public boolean matches(String text) {
        return matchesAll || pattern.matcher(text).matches();
    }
}
