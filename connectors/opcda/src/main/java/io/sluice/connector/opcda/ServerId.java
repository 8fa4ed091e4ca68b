package io.sluice.connector.opcda;

import java.util.Locale;
import java.util.regex.Pattern;

/** How the connector names the OPC server class: a CLSID, or a ProgID resolved to one (through OPCEnum). */
public sealed interface ServerId permits ServerId.Clsid, ServerId.ProgId {

    Pattern GUID = Pattern.compile("\\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})}?");
    /** Letters, digits, periods, underscores, hyphens and spaces (RSLinx's ProgID is "RSLinx OPC Server"). */
    Pattern PROG_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_ \\-]*(\\.[A-Za-z0-9_][A-Za-z0-9_ \\-]*)*");

    /** A CLSID in canonical form: upper case, no braces. */
    record Clsid(String value) implements ServerId {
        @Override public String toString() { return "{" + value + "}"; }
    }

    record ProgId(String value) implements ServerId {
        @Override public String toString() { return value; }
    }

    /** Parses {@code {6F17505C-...}} (braces optional, any case) as a CLSID; throws IllegalArgumentException otherwise. */
    static Clsid parseClsid(String text) {
        String t = text == null ? "" : text.trim();
        var m = GUID.matcher(t);
        if (!m.matches() || (t.startsWith("{") != t.endsWith("}"))) {
            throw new IllegalArgumentException("expected a CLSID such as {F8582CF2-88FB-11D0-B850-00C0F0104305}, got '" + text + "'");
        }
        return new Clsid(m.group(1).toUpperCase(Locale.ROOT));
    }

    /** Validates a ProgID such as {@code Matrikon.OPC.Simulation.1}; throws IllegalArgumentException otherwise. */
    static ProgId parseProgId(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("expected a ProgID such as Matrikon.OPC.Simulation.1, got an empty string");
        }
        if (GUID.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' is a CLSID, not a ProgID; put it under clsid");
        }
        if (!PROG_ID.matcher(t).matches() || t.endsWith(" ")) {
            throw new IllegalArgumentException("expected a ProgID such as Matrikon.OPC.Simulation.1 (letters, digits, '.', '_', '-',"
                    + " not starting with a digit or '.'), got '" + text + "'");
        }
        return new ProgId(t);
    }

    /** A CLSID when the text looks like one, a ProgID otherwise. */
    static ServerId parse(String text) {
        String t = text == null ? "" : text.trim();
        return GUID.matcher(t).matches() ? parseClsid(t) : parseProgId(t);
    }
}
