package io.sluice.connector.simmem.layout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The shipped layouts, and loading of users' layout files. */
public final class Layouts {

    /** Names of the layouts shipped in this module, in listing order. */
    public static final List<String> SHIPPED = List.of("acc-physics", "acc-graphics", "acc-static",
            "ac1-physics", "ac1-graphics", "ac1-static", "tennessee-eastman");

    private static final Map<String, Layout> CACHE = new LinkedHashMap<>();

    private Layouts() {}

    /** A shipped layout by name. */
    public static synchronized Optional<Layout> shipped(String name) {
        if (!SHIPPED.contains(name)) return Optional.empty();
        return Optional.of(CACHE.computeIfAbsent(name, Layouts::loadResource));
    }

    public static List<Layout> allShipped() {
        return SHIPPED.stream().map(n -> shipped(n).orElseThrow()).toList();
    }

    /** True when {@code reference} names a layout file rather than a shipped layout. */
    public static boolean isFileReference(String reference) {
        return reference.endsWith(".yaml") || reference.endsWith(".yml") || reference.endsWith(".json");
    }

    /**
     * Resolves a page's {@code layout:} value: a shipped name, or the path of a {@code .yaml}/{@code .yml}/{@code .json}
     * file (relative paths against {@code baseDir}).
     */
    public static Layout resolve(String reference, Path baseDir) {
        if (!isFileReference(reference)) {
            return shipped(reference).orElseThrow(() -> new LayoutException(reference,
                    List.of("no shipped layout named '" + reference + "'; shipped: " + SHIPPED
                            + " (or give a .yaml/.json file)")));
        }
        Path file = baseDir.resolve(reference);
        try {
            return LayoutParser.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new LayoutException(file.toString(), List.of("cannot read: " + e));
        }
    }

    private static Layout loadResource(String name) {
        String resource = "layouts/" + name + ".yaml";
        try (InputStream in = Layouts.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return LayoutParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "shipped:" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
