package io.sluice.runtime;

import io.sluice.spi.SluiceException;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.destination.DestinationFactory;
import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The connector and destination types on the class path, found with {@link ServiceLoader}. Two factories claiming
 * one type name is an error: silently picking one would make behaviour depend on jar order.
 */
public final class Plugins {

    private final Map<String, ConnectorFactory<?>> connectors;
    private final Map<String, DestinationFactory<?>> destinations;

    public Plugins(Map<String, ConnectorFactory<?>> connectors, Map<String, DestinationFactory<?>> destinations) {
        this.connectors = Collections.unmodifiableMap(new TreeMap<>(connectors));
        this.destinations = Collections.unmodifiableMap(new TreeMap<>(destinations));
    }

    /** Everything registered with the given class loader. */
    public static Plugins discover(ClassLoader loader) {
        Map<String, ConnectorFactory<?>> connectors = new TreeMap<>();
        for (ConnectorFactory<?> f : ServiceLoader.load(ConnectorFactory.class, loader)) {
            ConnectorFactory<?> previous = connectors.put(f.type(), f);
            if (previous != null) duplicate("connector", f.type(), previous, f);
        }
        Map<String, DestinationFactory<?>> destinations = new TreeMap<>();
        for (DestinationFactory<?> f : ServiceLoader.load(DestinationFactory.class, loader)) {
            DestinationFactory<?> previous = destinations.put(f.type(), f);
            if (previous != null) duplicate("destination", f.type(), previous, f);
        }
        return new Plugins(connectors, destinations);
    }

    public static Plugins discover() {
        return discover(Plugins.class.getClassLoader());
    }

    private static void duplicate(String kind, String type, Object a, Object b) {
        throw new SluiceException("two " + kind + " factories claim the type '" + type + "': "
                + a.getClass().getName() + " and " + b.getClass().getName(), false);
    }

    public Map<String, ConnectorFactory<?>> connectors() {
        return connectors;
    }

    public Map<String, DestinationFactory<?>> destinations() {
        return destinations;
    }
}
