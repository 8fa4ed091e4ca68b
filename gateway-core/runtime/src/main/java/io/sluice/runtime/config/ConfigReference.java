package io.sluice.runtime.config;

import io.sluice.runtime.Plugins;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Generates {@code docs/configuration-reference.md}: every key of the config file with its type, default and
 * description, from the same records the loader binds (so the reference cannot drift from the code).
 */
public final class ConfigReference {

    private ConfigReference() {}

    public static String generate(Plugins plugins) {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("Generated from the code by `sluice schema --reference`; do not edit by hand. ");
        md.append("Concepts and examples are in [configuration.md](configuration.md). Durations are written like `500ms`, `5s`, `7d`; ");
        md.append("sizes like `64KB`, `256MB`; secrets as `${env:NAME}`.\n\n");
        md.append("## Top level\n\n| key | what |\n|---|---|\n");
        md.append("| `store` | the stream store, see below |\n| `connectors` | connector instances by name |\n");
        md.append("| `streams` | streams by name |\n| `routes` | list of routing rules |\n| `destinations` | destination instances by name |\n");
        md.append("| `assets` | list of asset context rules |\n| `admin` | the local admin endpoint (metrics, health, status API, console) |\n");
        md.append("| `logging` | the gateway's own log: level, text or JSON lines, rolling file |\n\n");
        section(md, "store", StoreConfig.class);
        section(md, "admin", AdminConfig.class);
        section(md, "logging", LoggingConfig.class);
        section(md, "streams.&lt;name&gt;", StreamConfig.class);
        section(md, "routes[]", RouteConfig.class);
        section(md, "assets[]", AssetRule.class);
        section(md, "connectors.&lt;name&gt; (every type)", ConnectorCommon.class);
        plugins.connectors().forEach((type, f) -> section(md, "connectors.&lt;name&gt; with `type: " + type + "` — " + f.description(), f.configType()));
        section(md, "destinations.&lt;name&gt; (every type)", DestinationCommon.class);
        plugins.destinations().forEach((type, f) -> section(md, "destinations.&lt;name&gt; with `type: " + type + "` — " + f.description(), f.configType()));
        return md.toString();
    }

    private static void section(StringBuilder md, String title, Class<? extends Record> type) {
        List<Class<? extends Record>> nested = new ArrayList<>();
        md.append("## ").append(title).append("\n\n");
        Doc doc = type.getAnnotation(Doc.class);
        if (doc != null) md.append(doc.value()).append("\n\n");
        table(md, type, nested);
        Set<Class<? extends Record>> done = new LinkedHashSet<>();
        while (!nested.isEmpty()) {
            Class<? extends Record> n = nested.remove(0);
            if (!done.add(n)) continue;
            md.append("#### ").append(n.getSimpleName()).append("\n\n");
            Doc d = n.getAnnotation(Doc.class);
            if (d != null) md.append(d.value()).append("\n\n");
            table(md, n, nested);
        }
    }

    @SuppressWarnings("unchecked")
    private static void table(StringBuilder md, Class<? extends Record> type, List<Class<? extends Record>> nested) {
        if (type.getRecordComponents().length == 0) {
            md.append("No options.\n\n");
            return;
        }
        md.append("| key | type | default | description |\n|---|---|---|---|\n");
        for (RecordComponent c : type.getRecordComponents()) {
            DefaultValue dv = c.getAnnotation(DefaultValue.class);
            Doc d = c.getAnnotation(Doc.class);
            Range r = c.getAnnotation(Range.class);
            Class<?> raw = c.getType();
            String def = dv != null ? "`" + dv.value() + "`"
                    : (raw == Optional.class || raw == List.class || raw == java.util.Map.class) ? "—" : "**required**";
            String typeName = typeName(c.getGenericType(), nested);
            if (r != null) {
                typeName += " (" + (Double.isFinite(r.min()) ? fmt(r.min()) : "") + "…" + (Double.isFinite(r.max()) ? fmt(r.max()) : "") + ")";
            }
            md.append("| `").append(Names.kebab(c.getName())).append("` | ").append(typeName).append(" | ").append(def)
                    .append(" | ").append(d == null ? "" : d.value().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        md.append("\n");
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @SuppressWarnings("unchecked")
    private static String typeName(Type type, List<Class<? extends Record>> nested) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class) return typeName(args[0], nested);
            if (raw == List.class) return "list of " + typeName(args[0], nested);
            if (raw == java.util.Map.class) return "map of " + typeName(args[1], nested);
        }
        Class<?> cls = (Class<?>) type;
        if (cls.isRecord() && cls != io.sluice.spi.config.DataSize.class && cls != FreeSpace.class) {
            nested.add((Class<? extends Record>) cls);
            return cls.getSimpleName();
        }
        return ConfigBinder.expected(cls).replace("|", "\\|");
    }
}
