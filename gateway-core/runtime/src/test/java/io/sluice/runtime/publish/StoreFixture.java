package io.sluice.runtime.publish;

import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A store for the publisher's tests: the streams of a gateway configuration given as YAML, nothing stored yet. */
final class StoreFixture {

    private StoreFixture() {}

    static SqliteStreamStore open(Path file, String yaml) {
        GatewayConfig config = ConfigLoader.parse(yaml, "test.yaml");
        SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults());
        List<StreamSettings> settings = new ArrayList<>();
        config.streams().forEach((n, s) -> settings.add(StreamSettings.of(n, s)));
        store.configure(settings);
        return store;
    }
}
