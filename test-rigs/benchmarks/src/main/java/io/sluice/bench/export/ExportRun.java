package io.sluice.bench.export;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.publish.DestinationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One timed export: the simulator fills the store while the destination is disabled, then the destination is
 * enabled; the first {@code warmup} samples are drained untimed (JIT compilation of the gateway and of the peer),
 * then the drain of the rest through the publisher is timed until the destination's cursor reaches the end (every
 * sample confirmed by the service). The producer therefore does not compete for the CPU with what is measured.
 */
final class ExportRun {

    /** What one run measured. */
    record Result(double samplesPerSecond, double samplesPerCall, double samplesPerPacket, double callsPerSecond,
                  double packetsPerSecond, double bytesPerSecond, double bytesPerSample) {
        String describe() {
            return String.format("%,.0f samples/s, %.1f samples/call, %.1f samples/packet, %.0f calls/s, %.0f packets/s, "
                            + "%,.0f B/s, %.1f B/sample", samplesPerSecond, samplesPerCall, samplesPerPacket, callsPerSecond,
                    packetsPerSecond, bytesPerSecond, bytesPerSample);
        }
    }

    /** The YAML for the gateway, with the destination enabled or not. */
    interface Yaml {
        String render(boolean enabled);
    }

    private ExportRun() {}

    /**
     * @param total  samples in the store when the destination is enabled, warm-up included
     * @param warmup samples drained before the clock starts
     */
    static Result run(Yaml yaml, String stream, String destination, long total, long warmup, BooleanSupplier extraDone)
            throws Exception {
        Path data = Files.createTempDirectory("sluice-bench-export");
        try {
            Gateway gateway = Gateway.start(ConfigLoader.parse(yaml.render(false), "bench.yaml"), data);
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (gateway.store().nextSequence(stream) < total) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("the simulator did not fill the store");
                    Thread.sleep(20);
                }
                gateway.reconfigure(ConfigLoader.parse(yaml.render(true), "bench.yaml"));
                deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                long t0 = System.nanoTime();
                long startCursor = 0;
                DestinationStatus before = null;
                if (warmup > 0) {
                    while ((startCursor = gateway.store().cursor(stream, destination)) < warmup) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("warm-up not delivered in time");
                        Thread.sleep(1);
                    }
                    t0 = System.nanoTime();
                    before = status(gateway, destination);
                }
                while (gateway.store().cursor(stream, destination) < total || !extraDone.getAsBoolean()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + gateway.store().cursor(stream, destination) + " of "
                                + total + " delivered");
                    }
                    Thread.sleep(2);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                DestinationStatus s = status(gateway, destination);
                double samples = s.samplesSent() - (before == null ? 0 : before.samplesSent());
                double calls = s.calls() - (before == null ? 0 : before.calls());
                double packets = s.packetsSent() - (before == null ? 0 : before.packetsSent());
                double bytes = s.bytesSent() - (before == null ? 0 : before.bytesSent());
                return new Result((total - startCursor) / secs, samples / Math.max(1, calls), samples / Math.max(1, packets),
                        calls / secs, packets / secs, bytes / secs, bytes / Math.max(1, samples));
            } finally {
                gateway.close();
            }
        } finally {
            deleteTree(data);
        }
    }

    private static DestinationStatus status(Gateway gateway, String destination) {
        return gateway.status().destinations().stream().filter(d -> d.name().equals(destination)).findFirst().orElseThrow();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
