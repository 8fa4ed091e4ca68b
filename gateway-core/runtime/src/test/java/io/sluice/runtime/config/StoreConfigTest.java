package io.sluice.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Plugins;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The store-wide budget keys: defaults, sizes and percentages, and an error that names file, line and key. */
@Timeout(30)
class StoreConfigTest {

    private final ConfigLoader loader = new ConfigLoader(Plugins.discover(), Map.<String, String>of()::get);

    private static final String STREAMS = """
            streams:
              telemetry: {priority: 2}
            """;

    @Test
    void defaultsAreNoBudgetAndFivePercentFree() {
        StoreConfig store = loader.parseText(STREAMS, "gw.yaml").store();
        assertEquals(0, store.maxSize().bytes());
        assertEquals(FreeSpace.ofPercent(5), store.minFreeDisk());
    }

    @Test
    void minFreeDiskTakesASizeOrAPercentage() {
        StoreConfig sized = loader.parseText("store:\n  max-size: 2GB\n  min-free-disk: 256MB\n" + STREAMS, "gw.yaml").store();
        assertEquals(2L << 30, sized.maxSize().bytes());
        assertEquals(256L << 20, sized.minFreeDisk().bytesOf(1L << 40));
        StoreConfig percent = loader.parseText("store:\n  min-free-disk: 10%\n" + STREAMS, "gw.yaml").store();
        assertEquals(100, percent.minFreeDisk().bytesOf(1000));
    }

    @Test
    void aBadWatermarkNamesFileLineKeyAndWhatWasExpected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parseText("store:\n  min-free-disk: lots\n" + STREAMS, "gw.yaml"));
        String m = e.getMessage();
        assertTrue(m.contains("gw.yaml") && m.contains(":2") && m.contains("store.min-free-disk")
                && m.contains("a size such as 256MB or a percentage such as 5%"), m);
        ConfigException over = assertThrows(ConfigException.class,
                () -> loader.parseText("store:\n  min-free-disk: 150%\n" + STREAMS, "gw.yaml"));
        assertTrue(over.getMessage().contains("store.min-free-disk"), over.getMessage());
    }
}
