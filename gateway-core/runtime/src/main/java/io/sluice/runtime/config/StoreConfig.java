package io.sluice.runtime.config;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import java.time.Duration;

@Doc("The local stream store: a SQLite file in WAL mode under the data directory.")
public record StoreConfig(
        @Doc("Data directory holding the store file, connector state and status; `sluice run --data` overrides it.")
        @DefaultValue("./data") String directory,
        @Doc("Group-commit window: appends arriving within it share one transaction. A producer is told only after the commit.")
        @DefaultValue("5ms") Duration commitWindow,
        @Doc("SQLite synchronous mode. `full` syncs the WAL on every commit (survives power loss); `normal` survives a killed process but may lose the last commits on power loss.")
        @DefaultValue("full") Synchronous synchronous,
        @Doc("Upper bound of data waiting for commit; producers block (back-pressure) above it.")
        @DefaultValue("64MB") DataSize maxPending,
        @Doc("How often retention (TTL, drained data) runs.")
        @DefaultValue("1s") Duration retentionInterval,
        @Doc("Store-wide budget: all file streams together hold at most this much encoded data; `0B` means no limit. When an append would exceed it, streams give up data by their `when-full`, lowest priority first.")
        @DefaultValue("0B") DataSize maxSize,
        @Doc("Free disk space the store leaves on its file system, as a size (`256MB`) or a percentage (`5%`). Enforced like `max-size`, before the file system is full.")
        @DefaultValue("5%") FreeSpace minFreeDisk,
        @Doc("How long delivery receipts (Kinesis shard and sequence number, file name and offset, ...) are kept for `sluice streams trace`; `0s` keeps none. At most a million are kept.")
        @DefaultValue("7d") Duration keepReceipts) {

    public enum Synchronous { FULL, NORMAL, OFF }

    public static StoreConfig defaults() {
        return new StoreConfig("./data", Duration.ofMillis(5), Synchronous.FULL, DataSize.ofMegabytes(64), Duration.ofSeconds(1),
                DataSize.ofBytes(0), FreeSpace.ofPercent(5), Duration.ofDays(7));
    }

    public StoreConfig withDirectory(String dir) {
        return new StoreConfig(dir, commitWindow, synchronous, maxPending, retentionInterval, maxSize, minFreeDisk, keepReceipts);
    }
}
