package io.sluice.destination.iotcore;

import io.sluice.spi.destination.DestinationContext;

/**
 * Supplies a transport by name ({@code transport:} in the destination's config). The MQTT transport is built in;
 * other transports (the Greengrass IPC one) are found with ServiceLoader
 * ({@code META-INF/services/io.sluice.destination.iotcore.IotCoreTransportProvider}).
 */
public interface IotCoreTransportProvider {

    /** The {@code transport:} value, e.g. {@code greengrass-ipc}. */
    String name();

    IotCoreTransport create(String destinationName, DestinationContext context);
}
