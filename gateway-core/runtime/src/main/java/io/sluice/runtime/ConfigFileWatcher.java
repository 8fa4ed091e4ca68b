package io.sluice.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a configuration file (through its directory, so an editor that writes a new file and renames it over the
 * old one is seen too) and calls {@code onChange} once the file has been quiet for {@code debounce}: an editor's
 * several writes, or a copy in progress, make one reload.
 */
public final class ConfigFileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);

    private final Path file;
    private final Duration debounce;
    private final Runnable onChange;
    private final WatchService watcher;
    private final Thread thread;
    private volatile boolean closed;

    private ConfigFileWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.debounce = debounce;
        this.onChange = onChange;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "sluice-config-watcher");
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code file}; a directory that cannot be watched is logged once and nothing is watched. */
    public static ConfigFileWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
        ConfigFileWatcher w = new ConfigFileWatcher(file, debounce, onChange);
        w.thread.start();
        log.info("watching {} for changes (applied {} after the last write)", w.file, io.sluice.spi.Durations.format(debounce));
        return w;
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watcher.take();
                boolean touched = touches(key);
                key.reset();
                if (!touched) continue;
                // quiet period: every further event for the file starts it again
                while (true) {
                    WatchKey more = watcher.poll(debounce.toNanos(), TimeUnit.NANOSECONDS);
                    if (more == null) break;
                    more.pollEvents(); // a key reset with events left is queued again at once
                    more.reset();
                }
                if (closed) return;
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    log.error("applying the changed {} failed: {}", file, e.getMessage());
                    log.debug("reload failed", e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private boolean touches(WatchKey key) {
        boolean touched = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                touched = true;
            } else if (event.context() instanceof Path name && file.getFileName().equals(name)) {
                touched = true;
            }
        }
        return touched;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watcher.close();
        } catch (IOException e) {
            log.debug("closing the watch service failed", e);
        }
        thread.interrupt();
    }
}
