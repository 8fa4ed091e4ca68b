package io.sluice.connector.simmem.layout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A page of simulator shared memory, described as data (see the module README for the file format).
 *
 * @param name           layout name, e.g. {@code acc-physics}
 * @param description    one line
 * @param mappingName    the Windows file-mapping name, e.g. {@code Local\acpmf_physics}
 * @param path           the POSIX path, e.g. {@code /dev/shm/acpmf_physics}
 * @param size           page size in bytes; the mapped object must be at least this big
 * @param tagPrefix      prefix of the page's tags ({@code physics} gives {@code physics.speedKmh})
 * @param updateCounter  the field the writer increments on every update; empty for pages sampled at a fixed rate
 * @param refresh        when a page without counter is read
 * @param sessionFields  fields whose change means a new session (re-reads the session pages)
 * @param lapFields      role -> field name for lap detection (roles: completed-laps, lap-time-ms, valid,
 *                       sector-index, sector-time-ms); empty when the page has no laps
 * @param identityFields role -> field name of the session identity (roles: car, track)
 * @param fields         the fields, sorted by offset
 * @param source         where it was loaded from (for messages)
 */
public record Layout(String name, String description, String mappingName, String path, int size, String tagPrefix,
                     Optional<String> updateCounter, Refresh refresh, List<String> sessionFields,
                     Map<String, String> lapFields, Map<String, String> identityFields, List<Field> fields,
                     String source) {

    /** When a page without an update counter is read. */
    public enum Refresh {
        /** On every counter change (pages with an update counter). */
        COUNTER,
        /** At the page's configured fixed interval. */
        INTERVAL,
        /** Once when the page appears and again whenever a new session starts (static pages). */
        SESSION
    }

    public Layout {
        sessionFields = List.copyOf(sessionFields);
        lapFields = Map.copyOf(lapFields);
        identityFields = Map.copyOf(identityFields);
        fields = List.copyOf(fields);
    }

    public Optional<Field> field(String fieldName) {
        for (Field f : fields) {
            if (f.name().equals(fieldName)) return Optional.of(f);
        }
        return Optional.empty();
    }

    public Optional<Field> counterField() {
        return updateCounter.flatMap(this::field);
    }

    public Map<String, Field> fieldsByName() {
        Map<String, Field> map = new LinkedHashMap<>();
        fields.forEach(f -> map.put(f.name(), f));
        return map;
    }
}
