package io.sluice.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.store.SqliteStreamStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamMetersTest {

    @TempDir
    Path dir;

    @Test
    void registeringAStreamAgainOnAReloadRegistersNothingTwice() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> refused = new ArrayList<>();
        registry.config().onMeterRegistrationFailed((id, reason) -> refused.add(id.getName() + ": " + reason));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("store.db"), SqliteStreamStore.StoreOptions.defaults())) {
            StreamMeters.register(registry, store, "telemetry");
            int meters = registry.getMeters().size();
            PrintStream stderr = System.err;
            ByteArrayOutputStream logged = new ByteArrayOutputStream();
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
            try {
                StreamMeters.register(registry, store, "telemetry");
            } finally {
                System.setErr(stderr);
            }
            assertEquals(meters, registry.getMeters().size());
            assertEquals("", logged.toString(StandardCharsets.UTF_8), "nothing logged (Micrometer warns about a gauge registered again)");
            assertEquals(List.of(), refused, "Micrometer warns about each gauge registered again");
        }
    }
}
