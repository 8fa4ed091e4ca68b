package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

class KinesisDestinationTest {

    private static final KinesisDestinationConfig BASE = KinesisTestSamples.config("plant", Optional.empty());

    @Test
    void packsPerPartitionKeyInStreamOrderAndEverySampleOnce() {
        KinesisDestination d = new KinesisDestination("k", BASE);
        List<OutboundSample> in = KinesisTestSamples.floats("telemetry", 5000, 7, 100);
        PackResult r = d.pack(in);
        assertTrue(r.rejected().isEmpty());
        assertEquals(7, r.packets().size(), "one record per tag fits 1 MiB");
        List<OutboundSample> seen = new ArrayList<>();
        for (Packet p : r.packets()) {
            PutRecordsRequestEntry e = (PutRecordsRequestEntry) p.body();
            assertEquals(p.orderingKey(), e.partitionKey());
            assertEquals("sim/" + p.samples().get(0).sample().tag(), e.partitionKey());
            assertEquals(e.data().asByteArray().length + e.partitionKey().length(), p.sizeBytes());
            List<DecodedSample> decoded = SampleRecordFormat.decode(e.data().asByteArray());
            assertEquals(p.samples().size(), decoded.size());
            for (int i = 0; i < decoded.size(); i++) {
                assertEquals(p.samples().get(i).sequence(), decoded.get(i).sequence());
                assertEquals(p.samples().get(i).sample(), decoded.get(i).sample());
                if (i > 0) assertTrue(decoded.get(i).sequence() > decoded.get(i - 1).sequence());
            }
            seen.addAll(p.samples());
        }
        assertEquals(in.size(), seen.size());
        assertEquals(in.stream().map(OutboundSample::sequence).sorted().toList(),
                seen.stream().map(OutboundSample::sequence).sorted().toList());
    }

    @Test
    void recordsNeverExceedTheRecordSizeLimit() {
        for (var comp : KinesisDestinationConfig.Compression.values()) {
            KinesisDestinationConfig c = KinesisTestSamples.withRecordSize(BASE, DataSize.ofKilobytes(4), comp);
            KinesisDestination d = new KinesisDestination("k", c);
            // incompressible values make the gzip guess wrong at first; the packer must still split correctly
            Random random = new Random(7);
            List<OutboundSample> in = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                Value v = i % 3 == 0 ? Value.of(noise) : Value.of(i * 1.5);
                in.add(new OutboundSample("s", i, "c", new Sample("only", v, Quality.GOOD, 0, i, i, null),
                        KinesisTestSamples.ASSET));
            }
            PackResult r = d.pack(in);
            assertTrue(r.rejected().isEmpty());
            assertTrue(r.packets().size() > 10, comp + ": " + r.packets().size());
            long next = 0;
            for (Packet p : r.packets()) {
                assertTrue(p.sizeBytes() <= 4096, comp + " record of " + p.sizeBytes());
                PutRecordsRequestEntry e = (PutRecordsRequestEntry) p.body();
                for (DecodedSample s : SampleRecordFormat.decode(e.data().asByteArray())) {
                    assertEquals(next++, s.sequence(), "contiguous order across records");
                }
            }
            assertEquals(3000, next);
        }
    }

    @Test
    void aSampleLargerThanARecordIsRejectedWithItsReason() {
        KinesisDestinationConfig c = KinesisTestSamples.withRecordSize(BASE, DataSize.ofKilobytes(2),
                KinesisDestinationConfig.Compression.NONE);
        KinesisDestination d = new KinesisDestination("k", c);
        List<OutboundSample> in = new ArrayList<>(KinesisTestSamples.floats("s", 3, 1, 0));
        in.add(1, new OutboundSample("s", 99, "sim", Sample.good("tag-0", Value.of("x".repeat(5000)), 1), KinesisTestSamples.ASSET));
        PackResult r = d.pack(in);
        assertEquals(1, r.rejected().size());
        assertEquals(99, r.rejected().get(0).sample().sequence());
        assertTrue(r.rejected().get(0).reason().contains("record size limit"), r.rejected().get(0).reason());
        assertEquals(3, r.packets().stream().mapToInt(p -> p.samples().size()).sum());
    }

    @Test
    void partitionKeyTemplates() {
        OutboundSample s = KinesisTestSamples.floats("telemetry", 1, 1, 0).get(0);
        assertEquals("sim/tag-0", new KinesisDestination("k", BASE).partitionKey(s));
        assertEquals("hamburg/press-shop/_/press-3", new KinesisDestination("k",
                KinesisTestSamples.withKey(BASE, "{site}/{area}/{line}/{machine}")).partitionKey(s));
        assertEquals("plant-1", new KinesisDestination("k", KinesisTestSamples.withKey(BASE, "plant-1")).partitionKey(s));
        assertEquals(256, new KinesisDestination("k", KinesisTestSamples.withKey(BASE, "x".repeat(300) + "{tag}"))
                .partitionKey(s).length());
        assertEquals("_", new KinesisDestination("k", KinesisTestSamples.withKey(BASE, "{unit2}")).partitionKey(s));
    }

    @Test
    void defaultRatesAreOneShardQuotaTimesShardCount() {
        var limits = new KinesisDestination("k", BASE).limits();
        assertEquals(500, limits.maxPacketsPerCall());
        assertEquals(5L << 20, limits.maxBytesPerCall());
        assertEquals(1L << 20, limits.maxPacketBytes());
        assertEquals(1000, limits.defaultRates().packetsPerSecond());
        assertEquals(1 << 20, limits.defaultRates().bytesPerSecond());
        KinesisDestinationConfig four = new KinesisDestinationConfig("s", Optional.empty(), Optional.empty(),
                BASE.partitionKey(), BASE.recordFormat(), BASE.compression(), 6, 4, BASE.maxRequestSize(), BASE.maxRecordSize(), 500, 100,
                BASE.requestTimeout());
        assertEquals(4000, new KinesisDestination("k", four).limits().defaultRates().packetsPerSecond());
    }

    @Test
    void failedRecordsMapToRetryOrThrottleOutcomes() {
        PutRecordsResponse response = PutRecordsResponse.builder().failedRecordCount(3).records(
                PutRecordsResultEntry.builder().sequenceNumber("1").shardId("shardId-0").build(),
                PutRecordsResultEntry.builder().errorCode("ProvisionedThroughputExceededException").errorMessage("Rate exceeded").build(),
                PutRecordsResultEntry.builder().errorCode("InternalFailure").errorMessage("oops").build(),
                PutRecordsResultEntry.builder().errorCode("KMSThrottlingException").errorMessage("slow").build()).build();
        List<PacketOutcome> out = KinesisDestination.outcomes(response, 4);
        assertEquals(PacketOutcome.delivered(io.sluice.spi.destination.Receipt.of("kinesis", "shard-id", "shardId-0",
                "sequence-number", "1")), out.get(0), "the receipt is the shard and sequence number answered");
        assertEquals(new PacketOutcome.Retry("ProvisionedThroughputExceededException: Rate exceeded", true), out.get(1));
        assertEquals(new PacketOutcome.Retry("InternalFailure: oops", false), out.get(2));
        assertInstanceOf(PacketOutcome.Retry.class, out.get(3));
        assertTrue(((PacketOutcome.Retry) out.get(3)).throttled());
    }

    @Test
    void noWholeCallErrorDeadLettersTheData() throws Exception {
        KinesisDestination d = new KinesisDestination("k", KinesisTestSamples.config("s", java.util.Optional.empty()));
        // the packer keeps records and requests within max-record-size / max-request-size: a request the service
        // still calls invalid means those limits or the stream are configured wrong, which the operator can fix
        Throwable invalid = software.amazon.awssdk.services.kinesis.model.InvalidArgumentException.builder()
                .message("Records size exceeds 5 MB limit").statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("InvalidArgumentException").errorMessage("Records size exceeds 5 MB limit").build()).build();
        Throwable notFound = software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
                .message("Not Found").statusCode(404).build(); // a wrong endpoint: no AWS error type
        Throwable denied = software.amazon.awssdk.services.kinesis.model.KinesisException.builder()
                .message("denied").statusCode(403)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("AccessDeniedException").errorMessage("User is not authorized").build()).build();
        Throwable tls = software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request",
                new javax.net.ssl.SSLHandshakeException("PKIX path building failed"));
        java.util.concurrent.ExecutionException notStarted = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> d.sendAsync(d.pack(KinesisTestSamples.floats("s", 2, 1, 0))
                        .packets()).get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(assertInstanceOf(io.sluice.spi.SluiceException.class, notStarted.getCause()).retryable(),
                "a send racing a stop keeps the data");
        for (Throwable t : List.of(invalid, notFound, denied, tls)) {
            java.util.concurrent.CompletableFuture<List<PacketOutcome>> result = new java.util.concurrent.CompletableFuture<>();
            d.handleCallFailure(t, 2, result);
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, result::get);
            io.sluice.spi.SluiceException se = assertInstanceOf(io.sluice.spi.SluiceException.class, e.getCause());
            assertTrue(se.retryable(), t + " must keep the data: " + se.getMessage());
        }
    }

    @Test
    void validationReportsKeyPaths() {
        Map<String, String> problems = new HashMap<>();
        KinesisDestinationConfig bad = new KinesisDestinationConfig("s", Optional.empty(), Optional.of("ftp://x"),
                io.sluice.spi.config.Template.parse("y".repeat(300)), BASE.recordFormat(), BASE.compression(), 6, 1, DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(2), 500, 100, BASE.requestTimeout());
        new KinesisDestinationFactory().validate(bad, problems::put);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.containsKey("endpoint-override"));
        assertTrue(problems.containsKey("partition-key"));
        assertTrue(problems.containsKey("max-record-size"));
        Map<String, String> none = new HashMap<>();
        new KinesisDestinationFactory().validate(BASE, none::put);
        assertTrue(none.isEmpty(), none.toString());
    }
}
