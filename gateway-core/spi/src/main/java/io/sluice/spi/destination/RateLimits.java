package io.sluice.spi.destination;

/**
 * Rates the publisher keeps to for one destination, with a token bucket per dimension. {@code 0} means no limit.
 *
 * @param callsPerSecond   service calls (PutRecords requests, MQTT publishes, BatchPut requests)
 * @param packetsPerSecond packets (Kinesis records, SiteWise entries, MQTT messages)
 * @param bytesPerSecond   payload bytes
 */
public record RateLimits(double callsPerSecond, double packetsPerSecond, double bytesPerSecond) {

    public static final RateLimits UNLIMITED = new RateLimits(0, 0, 0);
}
