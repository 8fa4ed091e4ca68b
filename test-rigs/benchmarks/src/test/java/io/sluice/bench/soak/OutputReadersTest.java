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
        Path live = Files.createDirectories(dir.resolve("live"));
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Files.writeString(archive.resolve("soak-20261206-210000-000.jsonl"), whole + cut, StandardCharsets.UTF_8);
        Files.writeString(live.resolve("soak-20261206-210001-000.jsonl"), retried, StandardCharsets.UTF_8);
        Files.writeString(live.resolve("soak.jsonl"), line(4, 4) + line(5, 5).strip(), StandardCharsets.UTF_8);
        Files.writeString(live.resolve("other.jsonl"), "not ours\n", StandardCharsets.UTF_8);
        FileOutput output = new FileOutput(live, archive, "soak");

        Ledger ledger = new Ledger(List.of("file"), Set.of());
        long broken = OutputReaders.readFileOutput(output, "file", List.of(0L), ledger);

        assertEquals(2, broken, "the cut-off end of the first file and the unterminated last line");
        assertEquals(5, ledger.delivered("file"), "seq 0, 1, 2 (retried into the next file), 3 and 4 whole");
        assertEquals(1, ledger.missing("file", "s", 6), "5 only in a broken line");

        assertEquals(1, output.archiveRotated());
        assertEquals(List.of(archive.resolve("soak-20261206-210000-000.jsonl"), archive.resolve("soak-20261206-210001-000.jsonl"),
                live.resolve("soak.jsonl")), output.files());
        assertEquals(broken, OutputReaders.readFileOutput(output, "file", List.of(0L), new Ledger(List.of("file"), Set.of())));
    }

    @Test
    void aCutOffWriteFollowedByItsRetryInTheSameFileIsOneBrokenLine() throws Exception {
        String cut = line(2, 2).substring(0, 40);
        Files.writeString(dir.resolve("soak.jsonl"), line(1, 1) + cut + line(2, 2) + line(3, 3), StandardCharsets.UTF_8);
        Ledger ledger = new Ledger(List.of("file"), Set.of());

        assertEquals(1, OutputReaders.readFileOutput(new FileOutput(dir, dir.resolve("archive"), "soak"), "file", List.of(0L), ledger));
        assertEquals(2, ledger.delivered("file"));
    }

    @Test
    void aLineBelongsToTheLifeThatWasRunningWhenItsFirstByteWasWritten() throws Exception {
        String first = line(0, 0);
        String second = line(1, 1);
        Files.writeString(dir.resolve("soak.jsonl"), first + second + line(0, 0), StandardCharsets.UTF_8);
        long killedAt = first.length() + second.length();

        Ledger ledger = new Ledger(List.of("file"), Set.of(1));
        OutputReaders.readFileOutput(new FileOutput(dir, dir.resolve("archive"), "soak"), "file", List.of(0L, killedAt), ledger);

        assertEquals(1, ledger.maxRepeatsAcrossOneCrash());
        assertEquals(0, OutputReaders.lifeAt(List.of(0L, 100L), 99));
        assertEquals(1, OutputReaders.lifeAt(List.of(0L, 100L), 100));
    }
}
