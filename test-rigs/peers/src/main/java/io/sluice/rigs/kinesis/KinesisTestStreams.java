package io.sluice.rigs.kinesis;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * SDK clients and streams on a {@link KinesisEmulator}, for the tests that read back what a gateway wrote. The SDK
 * is a {@code provided} dependency of the rig: a test using this class brings its own Kinesis SDK.
 */
public final class KinesisTestStreams {

    private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(30);

    private KinesisTestStreams() {}

    /**
     * Points the SDK's default credential chain (the {@code aws.accessKeyId} / {@code aws.secretAccessKey} system
     * properties) at the emulator's keys, so that a destination built from a config without keys reaches it, and
     * starts kinesis-local in {@code dir}.
     */
    public static KinesisEmulator startEmulator(Path dir) throws IOException {
        System.setProperty("aws.accessKeyId", KinesisEmulator.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", KinesisEmulator.SECRET_KEY);
        return KinesisEmulator.start(dir);
    }

    /** A plain async client on the emulator's HTTP endpoint with the emulator's keys. */
    public static KinesisAsyncClient client(KinesisEmulator emulator) {
        return KinesisAsyncClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(KinesisEmulator.ACCESS_KEY, KinesisEmulator.SECRET_KEY)))
                .build();
    }

    /** Creates a stream of {@code shards} shards and waits (at most 30 s, polling) until it is ACTIVE. */
    public static void create(KinesisAsyncClient client, String name, int shards) throws Exception {
        client.createStream(b -> b.streamName(name).shardCount(shards)).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        while (!"ACTIVE".equals(client.describeStreamSummary(b -> b.streamName(name)).get(30, TimeUnit.SECONDS)
                .streamDescriptionSummary().streamStatusAsString())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + name + " not ACTIVE within " + ACTIVE_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }
}
