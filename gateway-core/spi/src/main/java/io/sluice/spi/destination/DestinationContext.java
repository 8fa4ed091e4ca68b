package io.sluice.spi.destination;

import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;

/** What the runtime gives a destination instance when it starts. */
public interface DestinationContext {

    String name();

    Clock clock();

    ScheduledExecutorService scheduler();

    Metrics metrics();

    Logger logger();

    Path stateDirectory();

    /** What the code that started the gateway shares with its destinations ({@link GatewayServices#NONE} by default). */
    default GatewayServices services() {
        return GatewayServices.NONE;
    }
}
