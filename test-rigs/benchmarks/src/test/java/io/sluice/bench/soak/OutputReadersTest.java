package io.sluice.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OutputReadersTest {

    @TempDir
    Path dir;

    private static String line(long seq, long value) {
        return "{\"stream\":\"s\",\"seq\":" + seq + ",\"connector\":\"a\",\"tag\":\"a.0001\",\"type\":\"integer\",\"value\":"
                + value + ",\"quality\":\"GOOD\",\"status\":0,\"source_time\":\"2026-12-06T21:00:00.000000123Z\","
                + "\"receive_time\":\"2026-12-06T21:00:00.000000123Z\"}\n";
    }

    @Test
    void cutOffWritesRunTogetherAndAMissingLastNewlineAreBrokenLines() throws Exception {
        String whole = line(0, 0) + line(1, 1);
        String cut = line(2, 2).substring(0, 40);          // a write interrupted by kill -9 ...
        String retried = line(2, 2) + line(3, 3);          // ... and the retry appended after it
        Files.writeString(dir.resolve("soak-20261206-210000-000.jsonl"), whole + cut + retried, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("soak.jsonl"), line(4, 4) + line(5, 5).strip(), StandardCharsets.UTF_8);

        Ledger ledger = new Ledger(List.of("file"), Set.of());
        long broken = OutputReaders.readFileOutput(dir, "soak", "file", List.of(0L), ledger);

        assertEquals(2, broken, "the run-together line and the unterminated last line");
        assertEquals(4, ledger.delivered("file"), "seq 0, 1, 3 and 4 whole");
        assertEquals(2, ledger.missing("file", "s", 6), "2 and 5 only in broken lines");
    }

    @Test
    void aLineBelongsToTheLifeThatWasRunningWhenItsFirstByteWasWritten() throws Exception {
        String first = line(0, 0);
        String second = line(1, 1);
        Files.writeString(dir.resolve("soak.jsonl"), first + second + line(0, 0), StandardCharsets.UTF_8);
        long killedAt = first.length() + second.length();

        Ledger ledger = new Ledger(List.of("file"), Set.of(1));
        OutputReaders.readFileOutput(dir, "soak", "file", List.of(0L, (long) killedAt), ledger);

        assertEquals(1, ledger.maxRepeatsAcrossOneCrash());
        assertEquals(0, OutputReaders.lifeAt(List.of(0L, 100L), 99));
        assertEquals(1, OutputReaders.lifeAt(List.of(0L, 100L), 100));
    }
}
