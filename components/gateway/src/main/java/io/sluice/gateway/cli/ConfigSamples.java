package io.sluice.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;

/**
 * The sample configs the connector and destination modules ship: each module's {@code sample.yaml} (the source, bound
 * by a test) is copied by the build to {@code io/sluice/samples/<kind>/<type>/sample.yaml} in its jar. A sample is a
 * whole config that validates on its own; {@code sluice init} takes the entries of its {@code connectors:} or
 * {@code destinations:} section, text and comments as written.
 */
final class ConfigSamples {

    /** The two kinds of sample and the top-level section each contributes. */
    enum Kind {
        CONNECTOR("connector", "connectors"), DESTINATION("destination", "destinations");

        final String folder;
        final String section;

        Kind(String folder, String section) {
            this.folder = folder;
            this.section = section;
        }
    }

    /** One module's sample: the whole text, and what {@code init} takes from it. */
    record Sample(Kind kind, String type, String text) {

        /** The comment lines before the first key: what the sample is and what to set. */
        List<String> header() {
            List<String> out = new ArrayList<>();
            for (String line : text.lines().toList()) {
                if (!line.startsWith("#")) break;
                out.add(line);
            }
            return out;
        }

        /** The lines under the kind's section (instances, indented by two), without trailing blank lines. */
        List<String> sectionBody() {
            List<String> out = new ArrayList<>();
            boolean inside = false;
            for (String line : text.lines().toList()) {
                boolean topLevel = !line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#");
                if (topLevel) {
                    inside = line.equals(kind.section + ":");
                    continue;
                }
                if (inside) out.add(line);
            }
            while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) out.remove(out.size() - 1);
            return out;
        }

        /** The instance names of the kind's section, in file order. */
        List<String> instanceNames() {
            Map<String, Object> section = sectionMap();
            return new ArrayList<>(section.keySet());
        }

        /** The kind's section, parsed (for names and the keys {@code init} needs to know). */
        @SuppressWarnings("unchecked")
        Map<String, Object> sectionMap() {
            Object doc = new Yaml().load(text);
            if (doc instanceof Map<?, ?> map && map.get(kind.section) instanceof Map<?, ?> section) {
                return new LinkedHashMap<>((Map<String, Object>) section);
            }
            return Map.of();
        }
    }

    private ConfigSamples() {}

    /** The resource path of a sample. */
    static String resource(Kind kind, String type) {
        return "/io/sluice/samples/" + kind.folder + "/" + type + "/sample.yaml";
    }

    /** The sample of a connector or destination type, if its module ships one. */
    static Optional<Sample> find(Kind kind, String type) {
        try (InputStream in = ConfigSamples.class.getResourceAsStream(resource(kind, type))) {
            if (in == null) return Optional.empty();
            return Optional.of(new Sample(kind, type, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
