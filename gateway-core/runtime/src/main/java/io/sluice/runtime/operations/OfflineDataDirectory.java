package io.sluice.runtime.operations;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.StreamConfig;
import io.sluice.runtime.metrics.MicrometerMetrics;
import io.sluice.runtime.publish.DestinationState;
import io.sluice.runtime.publish.PauseMarker;
import io.sluice.runtime.publish.Publisher;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.runtime.store.StreamStats;
import io.sluice.spi.Durations;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stopped gateway's data directory opened for {@link StreamOperations}: the directory's lock is taken (so no
 * gateway starts meanwhile, and a running one is refused with a clear message), the store is opened, and every stream
 * in it is declared without destinations and without a TTL, so the store's retention deletes nothing while it is
 * open. Pauses are written as markers the gateway reads when it starts; a destination test needs the configuration.
 */
public final class OfflineDataDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OfflineDataDirectory.class);
    private static final Duration NO_TTL = Duration.ofDays(36_500);

    private final Path dataDir;
    private final GatewayConfig config;
    private final DataDirectoryLock lock;
    private final SqliteStreamStore store;
    private final StreamOperations operations;

    private OfflineDataDirectory(Path dataDir, GatewayConfig config, DataDirectoryLock lock, SqliteStreamStore store) {
        this.dataDir = dataDir;
        this.config = config;
        this.lock = lock;
        this.store = store;
        List<StreamSettings> settings = new ArrayList<>();
        for (StreamStats s : store.stats()) {
            settings.add(new StreamSettings(s.name(), Long.MAX_VALUE, NO_TTL, StreamConfig.WhenFull.REJECT_NEW, true, Set.of()));
        }
        store.configure(settings);
        this.operations = new StreamOperations(store, new Destinations(), new SimpleMeterRegistry());
    }

    /**
     * Opens a stopped gateway's data directory; {@code config} (may be null) names its destinations, for tests of
     * them. Fails with one line when a gateway holds the directory or it holds no store.
     */
    public static OfflineDataDirectory open(Path dataDir, GatewayConfig config) {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve(Gateway.STORE_FILE))) {
            throw new SluiceException("no stream store in " + dir + " (has a gateway run there?)", false);
        }
        DataDirectoryLock lock = DataDirectoryLock.acquire(dir);
        try {
            SqliteStreamStore store = SqliteStreamStore.open(dir.resolve(Gateway.STORE_FILE), SqliteStreamStore.StoreOptions.defaults());
            return new OfflineDataDirectory(dir, config, lock, store);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public StreamOperations operations() {
        return operations;
    }

    public SqliteStreamStore store() {
        return store;
    }

    private Path stateRoot() {
        return dataDir.resolve("state").resolve("destinations");
    }

    private boolean known(String destination) {
        if (config != null) return config.destinations().containsKey(destination);
        if (Files.isDirectory(stateRoot().resolve(destination))) return true;
        return store.stats().stream().anyMatch(s -> s.cursors().containsKey(destination));
    }

    private final class Destinations implements StreamOperations.Destinations {
        @Override
        public void moveCursor(String destination, String stream, long nextSequence, Duration timeout) {
            Durations.await(store.moveCursor(stream, destination, nextSequence), timeout);
        }

        @Override
        public DestinationState pause(String destination, boolean paused, Duration timeout) {
            if (!known(destination)) {
                throw new SluiceException("no destination '" + destination + "' in "
                        + (config != null ? "the configuration" : dataDir + " (no cursor or state of it; --config names the configured ones)"), false);
            }
            PauseMarker.set(stateRoot(), destination, paused);
            return DestinationState.STOPPED;
        }

        @Override
        public String probe(String destination, Duration timeout) {
            if (config == null) {
                throw new SluiceException("no gateway runs on " + dataDir + "; testing one of its destinations needs --config", false);
            }
            DestinationInstance instance = config.destinations().get(destination);
            if (instance == null) throw new SluiceException("no destination '" + destination + "' in the configuration", false);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-probe-" + destination);
                t.setDaemon(true);
                return t;
            });
            try {
                return Publisher.probeFresh(instance, context(destination, scheduler), timeout);
            } finally {
                scheduler.shutdownNow();
            }
        }
    }

    private DestinationContext context(String name, ScheduledExecutorService scheduler) {
        Path state = stateRoot().resolve(name);
        try {
            Files.createDirectories(state);
        } catch (IOException e) {
            throw new SluiceException("cannot create " + state + ": " + e.getMessage(), false, e);
        }
        Metrics metrics = new MicrometerMetrics(new SimpleMeterRegistry(), "destination", name);
        Logger destinationLog = LoggerFactory.getLogger("io.sluice.destination." + name);
        return new DestinationContext() {
            public String name() { return name; }
            public Clock clock() { return Clock.systemUTC(); }
            public ScheduledExecutorService scheduler() { return scheduler; }
            public Metrics metrics() { return metrics; }
            public Logger logger() { return destinationLog; }
            public Path stateDirectory() { return state; }
        };
    }

    @Override
    public void close() {
        try {
            Durations.await(store.flush(), StreamOperations.TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("flush before closing {} failed: {}", dataDir, e.getMessage());
        }
        store.close();
        lock.close();
    }
}
