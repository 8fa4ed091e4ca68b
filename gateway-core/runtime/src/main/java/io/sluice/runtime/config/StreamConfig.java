package io.sluice.runtime.config;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.time.Duration;
import java.util.List;

@Doc("A named, ordered, durable sequence of samples with a priority and retention rules.")
public record StreamConfig(
        @Doc("1 is the highest priority, 10 the lowest. Destinations drain higher priorities first; under the store-wide budget (`store.max-size`, `store.min-free-disk`) lower priorities give up their data first.")
        @DefaultValue("5") @Range(min = 1, max = 10) int priority,
        @Doc("Size limit of the stream's stored data; when reached, `when-full` applies.")
        @DefaultValue("1GB") DataSize maxSize,
        @Doc("Samples older than this (by receive time) are dropped, counted as TTL drops.")
        @DefaultValue("7d") Duration ttl,
        @Doc("Keep samples this long (by receive time) after every destination has had them, so `sluice streams replay` can deliver them again; 0s deletes them as soon as every destination has passed them. Kept samples are the first to go when the stream, the store budget or the disk needs room.")
        @DefaultValue("0s") Duration keepDelivered,
        @Doc("What happens when the stream is full: reject new samples (the source is told) or drop the oldest.")
        @DefaultValue("reject-new") WhenFull whenFull,
        @Doc("`file` survives restarts and crashes; `memory` is faster and lost on restart.")
        @DefaultValue("file") Persistence persistence,
        @Doc("Destinations this stream is exported to, each with its own cursor and batch settings.")
        List<ExportConfig> export) {

    public enum WhenFull { REJECT_NEW, DROP_OLDEST }

    public enum Persistence { FILE, MEMORY }

    public StreamConfig withPriority(int newPriority) {
        return new StreamConfig(newPriority, maxSize, ttl, keepDelivered, whenFull, persistence, export);
    }

    @Doc("Export of a stream to one destination.")
    public record ExportConfig(
            @Doc("Name of a destination under `destinations`.") String destination,
            @Doc("Wait until samples are this old (or `batch-max-samples` are waiting) before sending; 0s sends at once.")
            @DefaultValue("0s") Duration batchInterval,
            @Doc("Most samples taken from this stream into one publisher window; 0 means the destination's own window size.")
            @DefaultValue("0") @Range(min = 0) int batchMaxSamples) {}
}
