package io.sluice.runtime.store;

import io.sluice.runtime.config.FreeSpace;
import io.sluice.runtime.store.StoreHealth.State;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's space: its state machine ({@link StoreHealth.State}), the store-wide budget ({@code store.max-size})
 * and free-disk watermark ({@code store.min-free-disk}), and the disk reserve.
 *
 * <p>The reserve is a {@value #RESERVE_BYTES}-byte file next to the store, given up when the disk is full so that
 * the store can still delete (which writes to the WAL) and checkpoint, and recreated once there is room. While it
 * is missing, the headroom counts its size as used, so the store evicts until it fits again.
 */
final class SpacePolicy {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);
    static final int RESERVE_BYTES = 4 << 20;

    /** The file system under the store; a fake in tests. */
    interface Disk {
        long usableBytes() throws IOException;

        long totalBytes() throws IOException;

        static Disk of(Path directory) throws IOException {
            FileStore store = Files.getFileStore(directory);
            return new Disk() {
                @Override
                public long usableBytes() throws IOException {
                    return store.getUsableSpace();
                }

                @Override
                public long totalBytes() throws IOException {
                    return store.getTotalSpace();
                }
            };
        }
    }

    private final Path reserve;
    private final long maxStoreBytes;
    private final FreeSpace minFreeDisk;
    private final Disk disk;
    private final Clock clock;
    private volatile StoreHealth health;
    private final Map<State, AtomicLong> entered = new EnumMap<>(State.class);
    private final java.util.Set<State> loggedThisEpisode = java.util.EnumSet.noneOf(State.class);

    SpacePolicy(Path storeFile, long maxStoreBytes, FreeSpace minFreeDisk, Disk disk, Clock clock) {
        this.reserve = reserveOf(storeFile);
        this.maxStoreBytes = maxStoreBytes <= 0 ? Long.MAX_VALUE : maxStoreBytes;
        this.minFreeDisk = minFreeDisk;
        this.disk = disk;
        this.clock = clock;
        this.health = StoreHealth.ok(clock.millis());
        for (State s : State.values()) entered.put(s, new AtomicLong());
    }

    static Path reserveOf(Path storeFile) {
        return storeFile.resolveSibling(storeFile.getFileName() + ".reserve");
    }

    /**
     * Before opening: on a disk too full for SQLite to create its WAL index, give up the reserve first. Returns true
     * when it was released.
     */
    static boolean releaseReserveIfShort(Path storeFile, Disk disk) {
        Path r = reserveOf(storeFile);
        try {
            if (Files.exists(r) && disk.usableBytes() < RESERVE_BYTES) {
                Files.deleteIfExists(r);
                log.warn("{}: the disk is full; released the {} MB disk reserve to open the store", storeFile, RESERVE_BYTES >> 20);
                return true;
            }
        } catch (IOException e) {
            log.debug("cannot check the disk reserve: {}", e.getMessage());
        }
        return false;
    }

    StoreHealth health() {
        return health;
    }

    State state() {
        return health.state();
    }

    /** How often the store entered each state since it was opened (for metrics). */
    Map<State, Long> entered() {
        Map<State, Long> out = new EnumMap<>(State.class);
        entered.forEach((s, n) -> out.put(s, n.get()));
        return Collections.unmodifiableMap(out);
    }

    long enteredCount(State s) {
        return entered.get(s).get();
    }

    /**
     * Moves to {@code next} if the current state allows it; logs the transition once and counts it. Returns false
     * (and does nothing) when already there or not allowed.
     */
    synchronized boolean moveTo(State next, String detail) {
        State current = health.state();
        if (current == next || !current.canMoveTo(next)) return false;
        health = new StoreHealth(next, detail == null ? "" : detail, clock.millis());
        entered.get(next).incrementAndGet();
        // one line per episode: an episode of trouble lasts until the store is OK again
        if (next == State.OK || next == State.CLOSED) loggedThisEpisode.clear();
        if (!loggedThisEpisode.add(next)) {
            log.debug("stream store {} again (was {}): {}", next, current, detail);
            return true;
        }
        switch (next) {
            case LOW_SPACE -> log.warn("stream store LOW_SPACE: {}; drop-oldest streams evict their oldest samples (lowest priority first), reject-new streams refuse", detail);
            case FULL -> log.error("stream store FULL: {}; appends fail (retryable) until there is room, committed data is intact", detail);
            case IO_ERROR -> log.error("stream store IO_ERROR: {}; appends fail (retryable) until a write succeeds, committed data is intact", detail);
            case RECOVERING -> log.info("stream store RECOVERING: writes succeed again after {}", current);
            case OK -> log.info("stream store OK (was {})", current);
            case CLOSED -> log.debug("stream store closed");
        }
        return true;
    }

    // ------------------------------------------------------------------ budget

    /**
     * Bytes that file streams may still add before the budget or the watermark is broken (negative when already
     * past). {@code storedBytes} is what file streams hold; {@code fileRoomBytes} what the SQLite file can still
     * take (its page limit) and {@code reusableBytes} its free pages, which new data fills before the file grows.
     */
    long headroom(long storedBytes, long fileRoomBytes, long reusableBytes) {
        long budget = maxStoreBytes == Long.MAX_VALUE ? Long.MAX_VALUE : maxStoreBytes - storedBytes;
        long diskRoom;
        try {
            long keep = minFreeDisk.bytesOf(disk.totalBytes()) + (Files.exists(reserve) ? 0 : RESERVE_BYTES);
            diskRoom = disk.usableBytes() - keep + reusableBytes;
        } catch (IOException e) {
            diskRoom = Long.MAX_VALUE;
        }
        long fileRoom = fileRoomBytes == Long.MAX_VALUE ? Long.MAX_VALUE : fileRoomBytes + reusableBytes;
        return Math.min(budget, Math.min(diskRoom, fileRoom));
    }

    /**
     * Headroom at which LOW_SPACE ends: a margin, so that a store evicting at its limit does not flap. As much again
     * as the free-disk watermark (at least 64 KB), at most the reserve's size or a tenth of the budget.
     */
    long clearance() {
        long watermark;
        try {
            watermark = minFreeDisk.bytesOf(disk.totalBytes());
        } catch (IOException e) {
            watermark = RESERVE_BYTES;
        }
        long margin = Math.min(RESERVE_BYTES, Math.max(64 << 10, watermark));
        if (maxStoreBytes != Long.MAX_VALUE) margin = Math.min(margin, maxStoreBytes / 10);
        return margin;
    }

    String describeBudget() {
        return "max-size " + (maxStoreBytes == Long.MAX_VALUE ? "unlimited" : io.sluice.spi.config.DataSize.ofBytes(maxStoreBytes))
                + ", min-free-disk " + minFreeDisk;
    }

    // ------------------------------------------------------------------ reserve

    boolean reserveHeld() {
        return Files.exists(reserve);
    }

    /** Creates the reserve if it is missing and the disk has room for it and as much again. */
    boolean ensureReserve() {
        try {
            if (Files.exists(reserve)) return true;
            if (disk.usableBytes() < 2L * RESERVE_BYTES) return false;
            Path tmp = reserve.resolveSibling(reserve.getFileName() + ".tmp");
            Files.write(tmp, new byte[RESERVE_BYTES]);
            Files.move(tmp, reserve, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("no disk reserve: {}", e.getMessage());
            return false;
        }
    }

    /** Gives the reserve up; true when it was there. */
    boolean releaseReserve() {
        try {
            boolean released = Files.deleteIfExists(reserve);
            if (released) log.warn("disk full: released the {} MB disk reserve to make room for eviction", RESERVE_BYTES >> 20);
            return released;
        } catch (IOException e) {
            return false;
        }
    }
}
