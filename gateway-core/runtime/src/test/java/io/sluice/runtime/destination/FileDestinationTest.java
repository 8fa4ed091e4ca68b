package io.sluice.runtime.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.testkit.FakeDestinationContext;
import io.sluice.testkit.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FileDestinationTest {

    @TempDir
    Path dir;

    FakeDestinationContext context;
    MovableClock clock;
    FaultyFileChannel faulty;
    FileDestination destination;

    @BeforeEach
    void context() {
        clock = new MovableClock(FileTestData.START);
        context = new FakeDestinationContext("out", dir.resolve("state")).withClock(clock);
    }

    @AfterEach
    void close() {
        if (destination != null) destination.close();
        context.close();
    }

    private FileDestination start(FileDestinationConfig config) throws Exception {
        destination = new FileDestination("out", config, file -> faulty = new FaultyFileChannel(FileDestination.DEFAULT_OPENER.open(file)));
        destination.start(context);
        return destination;
    }

    private List<PacketOutcome> send(long from, long to) throws Exception {
        List<Packet> packets = destination.pack(FileTestData.samples(from, to)).packets();
        return destination.sendAsync(packets).get(10, TimeUnit.SECONDS);
    }

    private Path out() {
        return dir.resolve("out");
    }

    @Test
    void aWriteThatFailsMidwayIsCutBackSoTheRetryStartsOnAWholeLine() throws Exception {
        start(FileTestData.config(out(), "64MB", Duration.ZERO, 0));
        send(0, 100);
        long before = Files.size(destination.currentFile());
        faulty.failAfterBytes = 1000; // the disk fills in the middle of the next window
        ExecutionException failed = assertThrows(ExecutionException.class, () -> send(100, 200));
        SluiceException cause = assertInstanceOf(SluiceException.class, failed.getCause());
        assertTrue(cause.retryable(), "a full disk is worth retrying");
        assertEquals(before, Files.size(destination.currentFile()), "the partial window is cut back");
        assertEquals(1, context.counter("file.writes.failed"));

        faulty.failAfterBytes = Long.MAX_VALUE; // space freed: the publisher retries the same window
        PacketOutcome.Delivered retried = assertInstanceOf(PacketOutcome.Delivered.class, send(100, 200).get(0));
        assertEquals(FileLines.range(0, 200), FileLines.sequences(out()));
        assertEquals(io.sluice.spi.destination.Receipt.of("file", "file", destination.currentFile().getFileName().toString(),
                "offset", String.valueOf(before), "length", retried.receipt().fields().get("length")), retried.receipt(),
                "the receipt names the file and the offset the retried lines start at");
        assertTrue(Long.parseLong(retried.receipt().fields().get("length")) > 0);
    }

    @Test
    void whenEvenTheCutFailsTheFileIsCutOnReopenBeforeTheNextWrite() throws Exception {
        start(FileTestData.config(out(), "64MB", Duration.ZERO, 0));
        send(0, 50);
        faulty.failAfterBytes = 700;
        faulty.failTruncate = true;
        assertThrows(ExecutionException.class, () -> send(50, 100));
        String broken = Files.readString(destination.currentFile(), StandardCharsets.UTF_8);
        assertFalse(broken.endsWith("\n"), "the cut failed, so the partial line is still there");

        send(50, 100); // a fresh channel (no faults) cuts back to the confirmed offset first
        assertEquals(FileLines.range(0, 100), FileLines.sequences(out()));
    }

    @Test
    void aPartialLastLineLeftByAKillIsCutAtStartCountedAndTheNextWriteStartsOnALine() throws Exception {
        Files.createDirectories(out());
        byte[] whole = SampleJson.encodeLines(FileTestData.samples(0, 10));
        byte[] next = SampleJson.encodeLines(FileTestData.samples(10, 11));
        byte[] withPartial = new byte[whole.length + next.length / 2];
        System.arraycopy(whole, 0, withPartial, 0, whole.length);
        System.arraycopy(next, 0, withPartial, whole.length, next.length / 2);
        Files.write(out().resolve("samples.jsonl"), withPartial);

        start(FileTestData.config(out(), "64MB", Duration.ZERO, 0));
        assertEquals(whole.length, Files.size(destination.currentFile()));
        assertEquals(1, context.counter("file.partial-lines.cut"));

        send(10, 20);
        assertEquals(FileLines.range(0, 20), FileLines.sequences(out()));
        destination.close();
        start(FileTestData.config(out(), "64MB", Duration.ZERO, 0));
        assertEquals(1, context.counter("file.partial-lines.cut"), "a whole file is left alone");
    }

    @Test
    void aFileOfOnlyAPartialLineIsCutToEmpty() throws Exception {
        Files.createDirectories(out());
        Files.writeString(out().resolve("samples.jsonl"), "{\"stream\":\"high\",\"seq\":45");
        start(FileTestData.config(out(), "64MB", Duration.ZERO, 0));
        assertEquals(0, Files.size(destination.currentFile()));
        send(0, 3);
        assertEquals(FileLines.range(0, 3), FileLines.sequences(out()));
    }

    @Test
    void rotatesBySizeIntoClosedFilesOfWholeLines() throws Exception {
        start(FileTestData.config(out(), "4KB", Duration.ZERO, 0));
        for (long from = 0; from < 500; from += 25) {
            send(from, from + 25);
            clock.advance(Duration.ofMillis(1));
        }
        List<Path> closed = FileLines.closedFiles(out());
        assertTrue(closed.size() >= 3, "rotated: " + closed);
        for (Path f : closed) {
            assertTrue(Files.size(f) >= 4096, f + " was rotated early");
            FileLines.sequencesOf(f); // whole lines only
        }
        assertTrue(Files.size(destination.currentFile()) < 4096);
        assertEquals(FileLines.range(0, 500), FileLines.sequences(out()), "nothing lost or repeated across rotations");
        assertEquals(closed.size(), context.counter("file.rotations"));
    }

    @Test
    void rotatesByAgeEvenWithoutNewWritesButNeverAnEmptyFile() throws Exception {
        start(FileTestData.config(out(), "64MB", Duration.ofMinutes(10), 0));
        clock.advance(Duration.ofHours(1));
        destination.checkAge();
        assertEquals(List.of(), FileLines.closedFiles(out()), "an empty file is not rotated");

        send(0, 10);
        clock.advance(Duration.ofMinutes(9));
        destination.checkAge();
        assertEquals(List.of(), FileLines.closedFiles(out()));
        clock.advance(Duration.ofMinutes(1));
        destination.checkAge();
        List<Path> closed = FileLines.closedFiles(out());
        assertEquals(1, closed.size());
        assertEquals("samples-20261206-111000-000.jsonl", closed.get(0).getFileName().toString());
        assertEquals(FileLines.range(0, 10), FileLines.sequencesOf(closed.get(0)));
        assertEquals(0, Files.size(destination.currentFile()));

        send(10, 20); // the age of the new file counts from its first line
        clock.advance(Duration.ofMinutes(5));
        destination.checkAge();
        assertEquals(1, FileLines.closedFiles(out()).size());
        assertEquals(FileLines.range(0, 20), FileLines.sequences(out()));
    }

    @Test
    void keepsOnlyTheNewestClosedFiles() throws Exception {
        start(FileTestData.config(out(), "1KB", Duration.ZERO, 2));
        for (long from = 0; from < 100; from += 10) send(from, from + 10);
        List<Path> closed = FileLines.closedFiles(out());
        assertEquals(2, closed.size());
        List<Long> kept = FileLines.sequences(out());
        assertEquals(99L, kept.get(kept.size() - 1));
    }
}
