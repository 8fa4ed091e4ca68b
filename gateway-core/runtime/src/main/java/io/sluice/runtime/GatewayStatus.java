package io.sluice.runtime;

import io.sluice.runtime.publish.DestinationStatus;
import io.sluice.runtime.store.StoreHealth;
import io.sluice.runtime.store.StreamStats;
import java.util.List;

/** A snapshot of a running gateway, written to {@code status.json} in the data directory every second. */
public record GatewayStatus(long writtenMillis, long startedMillis, String configSource, StoreHealth store,
                            List<StreamStats> streams, List<DestinationStatus> destinations,
                            List<ConnectorStatus> connectors) {

    public record ConnectorStatus(String name, String type, String state, String detail, long sinceMillis,
                                  long samplesCommitted, long samplesRefused) {}
}
