package io.sluice.destination.kinesis;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.FormerKey;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Pattern;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Template;
import java.time.Duration;
import java.util.Optional;

/** The keys of a {@code type: kinesis} destination section. */
@Doc("Exports samples to an Amazon Kinesis data stream with PutRecords, many samples packed into each record.")
public record KinesisDestinationConfig(
        @Doc("Name of the Kinesis data stream (it must exist).")
        @Pattern(regex = "[a-zA-Z0-9_.-]{1,128}", expected = "1 to 128 letters, digits, '_', '.' or '-'")
        String streamName,

        @Doc("AWS region, e.g. eu-central-1. Default: the SDK's region chain (AWS_REGION, profile, instance metadata).")
        @Pattern(regex = "[a-z]{2}(-[a-z]+)+-\\d+", expected = "an AWS region name such as eu-central-1")
        Optional<String> region,

        @Doc("Endpoint URL instead of the region's, e.g. a VPC endpoint or a local emulator (http://127.0.0.1:4568). "
                + "Formerly `endpoint` (still accepted, with a warning).")
        @FormerKey("endpoint")
        Optional<String> endpointOverride,

        @Doc("Partition key of each record, from placeholders {connector}, {stream}, {tag}, {unit} and asset levels "
                + "({site}, {area}, {line}, {machine}, ...). Samples with one key keep their order and share records. "
                + "Per connector and asset (default: a machine's tags packed together), per tag ({connector}/{tag}, "
                + "best with a batch-interval) or fixed (plain text). A missing placeholder renders as '_'; keys are "
                + "cut to 256 characters.")
        @DefaultValue("{connector}/{site}/{area}/{line}/{machine}")
        Template partitionKey,

        @Doc("What a record holds: series (the packed series format, many samples per line with delta-encoded times; "
                + "the most samples per quota) or jsonl (one flat JSON object per sample and line, absolute times as ISO "
                + "strings plus source_epoch_ms, never compressed: what Firehose delivers to S3 and Athena reads as is).")
        @DefaultValue("series")
        RecordFormat recordFormat,

        @Doc("Compression of each record's JSON Lines of series: gzip or none (record-format series only; jsonl "
                + "records are plain).")
        @DefaultValue("gzip")
        Compression compression,

        @Doc("gzip level, 1 (fastest) to 9 (smallest).")
        @DefaultValue("6") @Range(min = 1, max = 9)
        int compressionLevel,

        @Doc("Number of shards of the stream; the default rate limits are one shard's quota (1,000 records/s and "
                + "1 MiB/s) times this.")
        @DefaultValue("1") @Range(min = 1, max = 100000)
        int shardCount,

        @Doc("Largest PutRecords request (data plus partition keys). The service limit was 5 MiB for years.")
        @DefaultValue("5MB")
        DataSize maxRequestSize,

        @Doc("Largest record (data plus partition key). The service limit was 1 MiB for years.")
        @DefaultValue("1MB")
        DataSize maxRecordSize,

        @Doc("Most records in one PutRecords request (service limit 500).")
        @DefaultValue("500") @Range(min = 1, max = 500)
        int maxRecordsPerRequest,

        @Doc("Most samples the publisher reads from the store for one packing round. One record per partition key is in flight at a time, so this bounds the rate to about this many samples per round trip.")
        @DefaultValue("50000") @Range(min = 1, max = 1000000)
        int windowSamples,

        @Doc("Time one PutRecords call may take before it counts as failed (and is retried).")
        @DefaultValue("30s")
        Duration requestTimeout) {

    /** What a record's data is. */
    public enum RecordFormat { SERIES, JSONL }

    /** How a record's JSON Lines are compressed. */
    public enum Compression { GZIP, NONE }
}
