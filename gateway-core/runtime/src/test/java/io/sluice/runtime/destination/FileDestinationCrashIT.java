package io.sluice.runtime.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testkit.FakeDestinationContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a second process with SIGKILL in the middle of a line it writes through a file destination, five times, and
 * after each kill starts a destination on the folder as the gateway would after a restart: every file then holds
 * whole JSON lines only, every confirmed record is there, and the only repeats are records of the window that was in
 * flight at the kill (the publisher sends that window again: at least once, at most one window twice per crash).
 */
@Timeout(180)
class FileDestinationCrashIT {

    @TempDir
    Path dir;

    @Test
    void aKillInTheMiddleOfALineLeavesOnlyWholeLinesAndLosesNoConfirmedRecord() throws Exception {
        Path out = dir.resolve("out");
        long confirmed = -1;
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            long from = confirmed + 1;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), FileWriterChild.class.getName(),
                    out.toString(), Long.toString(from), Integer.toString(2 + round))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) lines.add(line);
                } catch (java.io.IOException ignored) {
                    // the child was killed
                }
                lines.add("EOF");
            });
            reader.start();
            try {
                for (String line = lines.poll(60, TimeUnit.SECONDS); ; line = lines.poll(60, TimeUnit.SECONDS)) {
                    assertTrue(line != null && !line.equals("EOF"), "round " + round + ": the writer stopped before MID");
                    if (line.startsWith("C ")) confirmed = Long.parseLong(line.substring(2));
                    if (line.equals("MID")) break;
                }
            } finally {
                child.destroyForcibly(); // SIGKILL, while a line is half written
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                reader.join(10_000);
            }

            // the restart: the destination cuts what the kill left before anything else is written
            try (FakeDestinationContext context = FileTestData.context(dir.resolve("state"))) {
                FileDestination restarted = new FileDestination("out", FileWriterChild.config(out), FileDestination.DEFAULT_OPENER);
                restarted.start(context);
                restarted.close();
                assertEquals(1, context.counter("file.partial-lines.cut"), "round " + round + ": the half line was cut");
            }
            List<Long> seqs = FileLines.sequences(out); // fails on any partial or broken line
            Map<Long, Integer> counts = new TreeMap<>();
            for (long s : seqs) counts.merge(s, 1, Integer::sum);
            for (long s = 0; s <= confirmed; s++) {
                assertTrue(counts.containsKey(s), "round " + round + ": confirmed record " + s + " is lost");
            }
            long repeated = counts.values().stream().filter(n -> n > 1).count();
            assertTrue(counts.values().stream().allMatch(n -> n <= 2), "a record written more than twice");
            assertTrue(repeated <= (long) round * FileWriterChild.WINDOW,
                    "round " + round + ": " + repeated + " repeats, more than one in-flight window per crash");
            long last = seqs.isEmpty() ? -1 : seqs.get(seqs.size() - 1);
            assertTrue(last <= confirmed + FileWriterChild.WINDOW, "round " + round + ": records beyond the in-flight window");
        }
        assertTrue(FileLines.closedFiles(out).size() >= 2, "the writers rotated files too");
    }
}
