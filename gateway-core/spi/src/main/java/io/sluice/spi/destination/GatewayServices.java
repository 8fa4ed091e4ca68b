package io.sluice.spi.destination;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Objects the code that starts a gateway hands to its destinations, by type: e.g. the Greengrass component's one IPC
 * connection to the nucleus, which the Greengrass destinations publish through. The starter creates and owns each
 * object (and closes it after the gateway); a destination only uses it. Immutable; {@link #NONE} when the starter
 * has nothing to share.
 */
public final class GatewayServices {

    public static final GatewayServices NONE = new GatewayServices(Map.of());

    private final Map<Class<?>, Object> byType;

    private GatewayServices(Map<Class<?>, Object> byType) {
        this.byType = byType;
    }

    public static <T> GatewayServices of(Class<T> type, T service) {
        return NONE.with(type, service);
    }

    /** These services and {@code service} as {@code type}; a second service of one type is an error. */
    public <T> GatewayServices with(Class<T> type, T service) {
        if (byType.containsKey(type)) throw new IllegalArgumentException("a " + type.getName() + " is already given");
        Map<Class<?>, Object> more = new LinkedHashMap<>(byType);
        more.put(type, type.cast(java.util.Objects.requireNonNull(service, "service")));
        return new GatewayServices(Map.copyOf(more));
    }

    /** The service given as {@code type}, or empty. */
    public <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(type.cast(byType.get(type)));
    }
}
