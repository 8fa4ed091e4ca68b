package io.sluice.connector.simmem.layout;

/**
 * One field of a page.
 *
 * @param name        name in the simulator's struct, e.g. {@code speedKmh}; also the tag suffix
 * @param type        its type
 * @param offset      byte offset from the start of the page
 * @param unit        engineering unit, or null
 * @param scale       multiplier applied to numeric values (1 = none); a scaled integer becomes a float
 * @param description free text, or null
 */
public record Field(String name, FieldType type, int offset, String unit, double scale, String description) {

    public int size() {
        return type.size();
    }

    public int end() {
        return offset + type.size();
    }

    public boolean scaled() {
        return scale != 1.0;
    }
}
