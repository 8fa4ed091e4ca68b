package io.sluice.connector.opcda;

import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.connector.opcda.OpcDaConnectorConfig.Browse;
import io.sluice.connector.opcda.OpcDaConnectorConfig.BrowseMode;
import io.sluice.connector.opcda.OpcDaConnectorConfig.Group;
import io.sluice.connector.opcda.OpcDaConnectorConfig.Item;
import io.sluice.connector.opcda.OpcDaConnectorConfig.RequestedType;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Config records with the documented defaults, for tests. */
final class Configs {

    private Configs() {}

    static OpcDaConnectorConfig config(Acquisition acquisition, List<Group> groups) {
        return new OpcDaConnectorConfig("opc-host", "PLANT", "gateway", new Secret("s3cret"),
                Optional.of("Matrikon.OPC.Simulation.1"), Optional.empty(), OpcDaConnectorConfig.ProgIdResolution.OPCENUM,
                Duration.ofSeconds(10), false, acquisition, Duration.ofSeconds(15), OpcDaConnectorConfig.PollSource.CACHE,
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(2), Duration.ofMinutes(5), true, 0, Optional.empty(), groups);
    }

    static OpcDaConnectorConfig withServer(OpcDaConnectorConfig c, Optional<String> progId, Optional<String> clsid) {
        return new OpcDaConnectorConfig(c.host(), c.domain(), c.user(), c.password(), progId, clsid, c.progIdResolution(),
                c.socketTimeout(), c.sessionSecurity(), c.acquisition(), c.callbackTimeout(), c.pollSource(), c.statusInterval(),
                c.reconnectMinDelay(), c.reconnectMaxDelay(), c.itemRetryInterval(), c.badOnDisconnect(), c.localeId(), c.dateZone(), c.groups());
    }

    static Group group(String name, List<Item> items, List<Browse> browse) {
        return new Group(name, Duration.ofSeconds(1), 0, true, items, browse);
    }

    static Item item(String itemId) {
        return new Item(itemId, Optional.empty(), Optional.empty(), RequestedType.CANONICAL, Optional.empty());
    }

    static Item item(String itemId, String tag) {
        return new Item(itemId, Optional.of(tag), Optional.empty(), RequestedType.CANONICAL, Optional.of("degC"));
    }

    static Browse browse(List<String> path, BrowseMode mode, String include, String exclude) {
        return new Browse(path, mode, "", include, Optional.ofNullable(exclude), 8, 1000, "", Optional.empty(), RequestedType.CANONICAL);
    }
}
