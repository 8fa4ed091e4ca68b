package io.sluice.rigs.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.rigs.process.PeerProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

class KinesisEmulatorIT {

    @TempDir
    Path dir;

    @Test
    void servesKinesisOnLoopbackAndStopsByPid() throws Exception {
        KinesisEmulator emulator = KinesisEmulator.start(dir);
        int port = emulator.endpoint().getPort();
        try (KinesisAsyncClient kinesis = KinesisAsyncClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(emulator.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(KinesisEmulator.ACCESS_KEY, KinesisEmulator.SECRET_KEY)))
                .build()) {
            kinesis.createStream(b -> b.streamName("rig").shardCount(1)).get(30, TimeUnit.SECONDS);
            assertEquals(StreamStatus.ACTIVE, kinesis.describeStreamSummary(b -> b.streamName("rig")).get(30, TimeUnit.SECONDS)
                    .streamDescriptionSummary().streamStatus());
            var put = kinesis.putRecord(b -> b.streamName("rig").partitionKey("k").data(SdkBytes.fromUtf8String("x")))
                    .get(30, TimeUnit.SECONDS);
            var iterator = kinesis.getShardIterator(b -> b.streamName("rig").shardId(put.shardId())
                    .shardIteratorType("TRIM_HORIZON")).get(30, TimeUnit.SECONDS).shardIterator();
            var records = kinesis.getRecords(b -> b.shardIterator(iterator)).get(30, TimeUnit.SECONDS).records();
            assertEquals(1, records.size());
            assertEquals("x", records.get(0).data().asUtf8String());
        } finally {
            emulator.close();
        }
        assertFalse(ProcessHandle.of(emulator.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(PeerProcess.accepts(port));
    }
}
