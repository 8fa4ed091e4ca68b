package io.sluice.connector.opcua;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;

/**
 * How config names nodes: node ids with namespace URIs ({@code nsu=urn:x;s=Speed}, never {@code ns=2;...}, because
 * indexes may change when a server restarts), browse paths ({@code /Plant/[urn:x]Line1/Speed}) and glob patterns.
 */
final class NodeAddress {

    private NodeAddress() {}

    /** One browse path element: a browse name, optionally bound to a namespace URI. */
    record Segment(String namespaceUri, String name) {
        boolean matches(String uri, String browseName) {
            return name.equals(browseName) && (namespaceUri == null || namespaceUri.equals(uri));
        }

        @Override
        public String toString() {
            return namespaceUri == null ? name : "[" + namespaceUri + "]" + name;
        }
    }

    /** Parses a config node id; throws IllegalArgumentException with a message fit for a config error. */
    static ExpandedNodeId parseNodeId(String text) {
        String t = text.trim();
        if (t.startsWith("ns=") || t.contains(";ns=")) {
            throw new IllegalArgumentException("write the namespace as a URI (nsu=<namespace URI>;s=...), not as an index "
                    + "(ns=...): indexes can change when the server restarts; got '" + text + "'");
        }
        if (!t.startsWith("nsu=") && !t.matches("(?s)^[isgb]=.+")) {
            throw new IllegalArgumentException("expected a node id such as nsu=urn:vendor:plc;s=Line1.Speed or i=2258, got '" + text + "'");
        }
        ExpandedNodeId id;
        try {
            id = ExpandedNodeId.parse(t);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("expected a node id such as nsu=urn:vendor:plc;s=Line1.Speed or i=2258, got '" + text + "'");
        }
        if (id == null || id.isNull()) {
            throw new IllegalArgumentException("expected a node id such as nsu=urn:vendor:plc;s=Line1.Speed or i=2258, got '" + text + "'");
        }
        return id;
    }

    /** True when the text is meant as a node id rather than a browse path. */
    static boolean looksLikeNodeId(String text) {
        String t = text.trim();
        return t.startsWith("nsu=") || t.startsWith("ns=") || t.matches("(?s)^[isgb]=.+");
    }

    /**
     * Parses {@code /A/[urn:x]B/C} into segments, relative to the Objects folder (a leading {@code Objects} segment
     * is dropped). A {@code /} inside a bracketed URI is allowed.
     */
    static List<Segment> parseBrowsePath(String text) {
        String t = text.trim();
        if (!t.startsWith("/")) {
            throw new IllegalArgumentException("expected a browse path starting with '/', e.g. /Plant/Line1/Speed, got '" + text + "'");
        }
        List<Segment> segments = new ArrayList<>();
        int i = 1;
        while (i <= t.length()) {
            String uri = null;
            if (i < t.length() && t.charAt(i) == '[') {
                int close = t.indexOf(']', i);
                if (close < 0) throw new IllegalArgumentException("unclosed '[' in browse path '" + text + "'");
                uri = t.substring(i + 1, close);
                if (uri.isEmpty()) throw new IllegalArgumentException("empty namespace URI '[]' in browse path '" + text + "'");
                i = close + 1;
            }
            int slash = t.indexOf('/', i);
            int end = slash < 0 ? t.length() : slash;
            String name = t.substring(i, end);
            if (name.isEmpty()) throw new IllegalArgumentException("empty segment in browse path '" + text + "'");
            segments.add(new Segment(uri, name));
            i = end + 1;
        }
        if (!segments.isEmpty() && segments.get(0).namespaceUri() == null && segments.get(0).name().equals("Objects")) {
            segments.remove(0);
        }
        if (segments.isEmpty()) throw new IllegalArgumentException("browse path '" + text + "' names no node below Objects");
        return segments;
    }

    /** Compiles a glob: {@code *} within one level, {@code **} across levels, {@code ?} one character. */
    static Pattern glob(String glob) {
        if (glob.isBlank()) throw new IllegalArgumentException("empty pattern");
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** The canonical config name of a security policy, or null when unknown. */
    static String canonicalPolicy(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "none" -> "none";
            case "basic256sha256" -> "basic256sha256";
            case "aes128-sha256-rsaoaep" -> "aes128-sha256-rsaoaep";
            case "aes256-sha256-rsapss" -> "aes256-sha256-rsapss";
            default -> null;
        };
    }

    static final List<String> POLICIES = List.of("none", "basic256sha256", "aes128-sha256-rsaoaep", "aes256-sha256-rsapss");
}
