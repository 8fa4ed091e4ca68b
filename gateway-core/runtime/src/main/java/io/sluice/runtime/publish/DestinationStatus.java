package io.sluice.runtime.publish;

import java.util.List;
import java.util.Map;

/**
 * What a destination's publisher has done, for status files, metrics and {@code sluice streams inspect}.
 *
 * @param state            where the destination is in its life; FAILED when it could not be started (the reason is
 *                         {@code lastError}; it is retried with backoff)
 * @param stateSinceMillis epoch millis of the last state change
 * @param deadLetterStream the stream rejected samples go to
 * @param deadLetters      samples moved to the dead-letter stream since the gateway started, by reason
 * @param fallbackStream   the stream samples refused for their age go to (exported to the {@code fallback}
 *                         destination), null without a fallback
 * @param reroutes         samples rerouted to the fallback since the gateway started, by reason
 * @param startFailures    failed start attempts since the gateway started
 * @param failures         failed calls or packets by reason
 * @param lastSuccessMillis epoch millis of the last confirmed call, 0 if none
 * @param rateFactor       1.0 normally; lower after throttling (adaptive slow-down)
 * @param exports          per exported stream (highest priority first), the destination's cursor and backlog
 * @param failingSinceMillis epoch millis since which it has been failing (cannot start, or its calls fail), 0 while
 *                         it works; {@code lastError} is cleared when it works again
 * @param nextRetryInMillis milliseconds until the next attempt while waiting after a failure, -1 otherwise
 */
public record DestinationStatus(String name, String type, DestinationState state, long stateSinceMillis,
                                long samplesSent, long packetsSent, long bytesSent, long calls, long retries,
                                long throttles, long deadLettered, String deadLetterStream,
                                Map<String, Long> deadLetters, long rerouted, String fallbackStream,
                                Map<String, Long> reroutes, long startFailures, Map<String, Long> failures,
                                long lastSuccessMillis, String lastError, double rateFactor, List<ExportStatus> exports,
                                long failingSinceMillis, long nextRetryInMillis) {

    /**
     * One exported stream as this destination sees it.
     *
     * @param cursor  the next sequence the destination will be given (the oldest stored one if it never had any)
     * @param backlog samples stored that it has not had
     */
    public record ExportStatus(String stream, int priority, long cursor, long backlog) {}

    /** Samples waiting for this destination over all its streams. */
    public long backlog() {
        return exports.stream().mapToLong(ExportStatus::backlog).sum();
    }
}
