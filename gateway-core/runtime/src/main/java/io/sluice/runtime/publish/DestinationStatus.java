package io.sluice.runtime.publish;

import java.util.Map;

/**
 * What a destination's publisher has done, for status files, metrics and {@code sluice streams inspect}.
 *
 * @param state          idle, sending, backing-off, stopped
 * @param rateFactor     1.0 normally; lower after throttling (adaptive slow-down)
 * @param failures       failed calls or packets by reason
 * @param lastSuccessMillis epoch millis of the last confirmed call, 0 if none
 */
public record DestinationStatus(String name, String type, String state, long samplesSent, long packetsSent,
                                long bytesSent, long calls, long retries, long throttles, long deadLettered,
                                Map<String, Long> failures, long lastSuccessMillis, String lastError,
                                double rateFactor) {}
