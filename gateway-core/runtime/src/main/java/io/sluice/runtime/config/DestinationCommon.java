package io.sluice.runtime.config;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.time.Duration;
import java.util.Optional;

/** The keys every destination section has, whatever its type. */
public record DestinationCommon(
        @Doc("Destination type, e.g. file, stdout, kinesis, sitewise, iotcore.") String type,
        @Doc("Set to false to stop exporting to it; its cursors stay where they are.") @DefaultValue("true") boolean enabled,
        @Doc("Stream that receives samples this destination rejects as invalid, with the reason. Point it at a stream "
                + "exported elsewhere to reroute them. Default: `<name>-dead-letter` (created automatically, not exported).")
        Optional<String> deadLetterStream,
        @Doc("Destination that receives the samples this one refuses for their age (source time outside the window the "
                + "service accepts, e.g. SiteWise: older than 7 days or more than 10 minutes ahead), instead of the "
                + "dead-letter stream. They are appended to the stream `<name>-fallback` (created automatically, exported "
                + "to the fallback destination), each run with a note naming origin stream, sequences and reason. Must "
                + "name another destination; fallbacks may not form a cycle.")
        Optional<String> fallback,
        @Doc("Samples whose source time is older than this are not sent: they go to the `fallback` destination when one "
                + "is set, else to the dead-letter stream. Default: the service's own limit (sitewise `7d`, which is also "
                + "the most it allows); no limit for the others.")
        Optional<Duration> maxAge,
        @Doc("Samples whose source time is further ahead of the gateway clock than this are not sent, as for `max-age`. "
                + "Default: the service's own limit (sitewise `10m`, also the most it allows); no limit for the others.")
        Optional<Duration> maxAhead,
        @Doc("Rate limit overrides.") Optional<RateOverride> rate,
        @Doc("Longest wait between retries after failures (exponential backoff with jitter).")
        @DefaultValue("5m") Duration maxBackoff,
        @Doc("Most service calls in flight at once. Order is kept per ordering key (Kinesis partition key, SiteWise "
                + "property, MQTT topic lane): a call never carries a packet whose key has an earlier packet "
                + "unsettled. The next window's calls start while the last calls of the one before are in flight (at "
                + "most 2 windows in flight); a crash redelivers at most the windows in flight and those settled just "
                + "before whose cursor commit had not reached the disk. Default per type: kinesis 8, sitewise 16, others 1 (iotcore: 1 call, while its own max-in-flight "
                + "counts the unacknowledged MQTT messages of that call).")
        @Range(min = 1, max = 64) Optional<Integer> maxCallsInFlight,
        @Doc("On a clean stop (SIGTERM, Ctrl-C, a config change that restarts it), how long the destination keeps "
                + "sending what is buffered and waits for the call in flight before it gives up; answered calls always "
                + "move the cursors. Destinations stop in parallel: keep the largest value below the time the service "
                + "manager (Greengrass, systemd) grants for a stop. `0s` sends nothing more.")
        @DefaultValue("3s") Duration drainOnStop) {}
