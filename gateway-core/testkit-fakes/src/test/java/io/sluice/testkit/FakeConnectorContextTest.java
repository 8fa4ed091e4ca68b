package io.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeConnectorContextTest {

    @TempDir Path dir;

    private static List<Sample> batch(String tag, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> Sample.good(tag, Value.of((long) i), 1000L + i)).toList();
    }

    @Test
    void awaitSamplesReturnsOnceAnotherThreadHasPublishedEnough() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("c", dir)) {
            ctx.scheduler().schedule(() -> ctx.sink().publish(batch("a", 3)), 50, TimeUnit.MILLISECONDS);
            ctx.scheduler().schedule(() -> ctx.sink().publish(batch("b", 2)), 100, TimeUnit.MILLISECONDS);
            List<Sample> got = ctx.awaitSamples(5, Duration.ofSeconds(10));
            assertEquals(5, got.size());
            assertEquals(List.of("a", "a", "a", "b", "b"), got.stream().map(Sample::tag).toList(), "publishing order kept");
            assertEquals(2, ctx.awaitSamplesOf("b", 2, Duration.ofSeconds(1)).size());
        }
    }

    @Test
    void awaitSamplesFailsWithWhatItSawWhenTooFewCome() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("c", dir)) {
            ctx.sink().publish(batch("a", 1));
            ctx.health().report(HealthState.DEGRADED, "no route");
            AssertionError e = assertThrows(AssertionError.class, () -> ctx.awaitSamples(2, Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("1 of 2 samples"), e.getMessage());
            assertTrue(e.getMessage().contains("DEGRADED 'no route'"), e.getMessage());
        }
    }

    @Test
    void aRefusedAppendFailsTheFutureAndKeepsNothingUntilAcceptedAgain() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("c", dir)) {
            ctx.refuseAppends();
            CompletableFuture<Void> refused = ctx.sink().publish(batch("a", 2));
            ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SluiceException s && s.retryable(), "a retryable store error");
            assertEquals(0, ctx.sampleCount());
            assertEquals(1, ctx.refusedBatches());
            ctx.acceptAppends();
            ctx.sink().publish(batch("a", 2)).get(1, TimeUnit.SECONDS);
            assertEquals(2, ctx.sampleCount());
        }
    }

    @Test
    void healthAndCountersAreReadBackAndAwaited() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("c", dir)) {
            ctx.scheduler().schedule(() -> ctx.health().report(HealthState.CONNECTED, "up"), 20, TimeUnit.MILLISECONDS);
            ctx.awaitHealth(HealthState.CONNECTED, Duration.ofSeconds(10));
            assertEquals("up", ctx.healthDetail());
            ctx.metrics().counter("x.dropped", "reason", "a").increment(2);
            ctx.metrics().counter("x.dropped", "reason", "b").increment();
            assertEquals(3, ctx.counter("x.dropped"));
            assertEquals(2, ctx.metrics().countTagged("x.dropped", "reason", "a"));
            ctx.scheduler().schedule(() -> ctx.metrics().counter("x.dropped").increment(), 20, TimeUnit.MILLISECONDS);
            assertEquals(4, ctx.metrics().awaitCounter("x.dropped", 4, Duration.ofSeconds(10)));
            ctx.metrics().gauge("x.pending", () -> 7);
            assertEquals(7, ctx.metrics().gaugeValue("x.pending").intValue());
            ctx.metrics().distribution("x.gap").record(1.5);
            assertEquals(List.of(1.5), ctx.metrics().recorded("x.gap"));
        }
    }

    @Test
    void withoutKeepingSamplesItStillCountsAndAwaits() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("c", dir).keepSamples(false)) {
            ctx.scheduler().schedule(() -> ctx.sink().publish(batch("a", 3)), 20, TimeUnit.MILLISECONDS);
            assertTrue(ctx.awaitSamples(3, Duration.ofSeconds(10)).isEmpty(), "nothing kept");
            assertEquals(3, ctx.sampleCount());
        }
    }

    @Test
    void aDestinationContextRunsOnTheTestsClockAndCountsItsMetrics() throws Exception {
        MovableClock clock = new MovableClock(java.time.Instant.parse("2026-12-06T10:00:00Z"));
        try (FakeDestinationContext ctx = new FakeDestinationContext("d", dir).withClock(clock)) {
            clock.advance(Duration.ofMinutes(5));
            assertEquals(java.time.Instant.parse("2026-12-06T10:05:00Z"), ctx.clock().instant());
            ctx.scheduler().schedule(() -> ctx.metrics().counter("d.sent", "stream", "a").increment(2), 20, TimeUnit.MILLISECONDS);
            assertEquals(2, ctx.awaitCounter("d.sent", 2, Duration.ofSeconds(10)));
            assertTrue(Double.isNaN(ctx.gauge("d.pending")));
            AssertionError e = assertThrows(AssertionError.class, () -> ctx.awaitCounter("d.sent", 3, Duration.ofMillis(50)));
            assertTrue(e.getMessage().contains("d.sent=2"), e.getMessage());
        }
    }
}
