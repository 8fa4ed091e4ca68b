package io.sluice.spi.connector;

import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;

/** What the runtime gives a running connector instance. */
public interface ConnectorContext {

    /** The instance name from the config ({@code connectors.<name>}). */
    String name();

    SampleSink sink();

    Clock clock();

    /** A scheduler owned by the runtime; tasks are cancelled when the connector stops. */
    ScheduledExecutorService scheduler();

    Metrics metrics();

    Logger logger();

    Health health();

    /** A folder the instance may keep state in (PKI, frame counters); it survives restarts. */
    Path stateDirectory();
}
