package io.sluice.gateway.greengrass;

import io.sluice.destination.iotcore.IotCoreTransport;
import io.sluice.destination.iotcore.IotCoreTransportProvider;
import io.sluice.spi.destination.DestinationContext;

/**
 * {@code transport: greengrass-ipc} for the IoT Core destination: publish through the Greengrass nucleus with
 * {@code PublishToIoTCore}, QoS as configured (1 by default). Batching, rate limits and retries stay with the
 * publisher. Registered in {@code META-INF/services/io.sluice.destination.iotcore.IotCoreTransportProvider}.
 */
public final class GreengrassIpcTransportProvider implements IotCoreTransportProvider {

    public static final String NAME = "greengrass-ipc";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public IotCoreTransport create(String destinationName, DestinationContext context) {
        return new GreengrassIpcTransport(destinationName, IpcConnectionSource.from(context), context.logger());
    }
}
