package io.sluice.runtime;

import io.sluice.runtime.publish.DestinationStatus;
import io.sluice.runtime.store.StoreHealth;
import io.sluice.runtime.store.StreamStats;
import java.util.List;

/** A snapshot of a running gateway, written to {@code status.json} in the data directory every second. */
public record GatewayStatus(String state, long writtenMillis, long startedMillis, String configSource, StoreHealth store,
                            List<StreamStats> streams, List<DestinationStatus> destinations,
                            List<ConnectorStatus> connectors, List<MetricValue> metrics, ConfigReloads.Status reloads) {

    /** One measurement of one meter, e.g. {@code lorawan.frames.malformed{connector=site-a} count=3}. */
    public record MetricValue(String name, java.util.Map<String, String> tags, String statistic, double value) {}

    /**
     * {@code lifecycle} is the runner's ({@code RUNNING}, {@code FAILED}, …); {@code state} is what the connector
     * says about its source ({@code CONNECTED}, {@code DISCONNECTED}, …).
     */
    public record ConnectorStatus(String name, String type, String state, String detail, long sinceMillis,
                                  long samplesCommitted, long samplesRefused,
                                  io.sluice.runtime.connector.ConnectorLifecycle lifecycle) {}
}
