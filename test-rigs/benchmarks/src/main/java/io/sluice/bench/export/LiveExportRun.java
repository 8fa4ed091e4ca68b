package io.sluice.bench.export;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.publish.DestinationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One live export: the simulator feeds the store at a steady rate while the destination drains it (enabled from the
 * start, as in production). After a warm-up the run measures, for a fixed time, what the destination delivered
 * (values/s, bytes/value, publishes/s, bytes/s) and the backlog (store end minus the destination's cursor), sampled
 * every 200 ms: its least-squares slope says whether the destination keeps up (a backlog that grows) and its last
 * value, divided by the feed rate, is roughly how far behind live the destination is.
 */
final class LiveExportRun {

    /** What one live run measured. */
    record Result(double valuesPerSecond, double bytesPerValue, double publishesPerSecond, double bytesPerSecond,
                  double valuesPerPublish, long backlogStart, long backlogEnd, double backlogSlope, double feedRate) {

        /** The backlog grows by more than 2% of the feed rate. */
        boolean grows() {
            return backlogSlope > 0.02 * feedRate;
        }

        String describe() {
            return String.format("%,.0f values/s, %.1f B/value, %.1f publishes/s, %,.0f B/s, %.0f values/publish, backlog %,d -> %,d"
                            + " (%+,.0f values/s, %.1f s behind): %s", valuesPerSecond, bytesPerValue, publishesPerSecond,
                    bytesPerSecond, valuesPerPublish, backlogStart, backlogEnd, backlogSlope, backlogEnd / feedRate,
                    grows() ? "BACKLOG GROWS" : "keeps up");
        }
    }

    private LiveExportRun() {}

    /**
     * @param yaml     the gateway config, destination enabled
     * @param feedRate values/s the simulator produces (for the verdict)
     */
    static Result run(String yaml, String stream, String destination, Duration warmup, Duration measure, double feedRate)
            throws Exception {
        Path data = Files.createTempDirectory("sluice-bench-live");
        try {
            Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "bench.yaml"), data);
            try {
                Thread.sleep(warmup.toMillis());
                DestinationStatus before = status(gateway, destination);
                long t0 = System.nanoTime();
                long end = t0 + measure.toNanos();
                List<double[]> backlog = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    backlog.add(new double[] {(now - t0) / 1e9,
                            gateway.store().nextSequence(stream) - gateway.store().cursor(stream, destination)});
                    Thread.sleep(200);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                DestinationStatus after = status(gateway, destination);
                double values = after.samplesSent() - before.samplesSent();
                double packets = after.packetsSent() - before.packetsSent();
                double bytes = after.bytesSent() - before.bytesSent();
                return new Result(values / secs, bytes / Math.max(1, values), packets / secs, bytes / secs,
                        values / Math.max(1, packets), (long) backlog.get(0)[1], (long) backlog.get(backlog.size() - 1)[1],
                        slope(backlog), feedRate);
            } finally {
                gateway.close();
            }
        } finally {
            ExportRun.deleteTree(data);
        }
    }

    /** Least-squares slope of {time, backlog} points: values per second. */
    private static double slope(List<double[]> points) {
        double n = points.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    private static DestinationStatus status(Gateway gateway, String destination) {
        return gateway.status().destinations().stream().filter(d -> d.name().equals(destination)).findFirst().orElseThrow();
    }
}
