package io.sluice.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatusFileTest {

    @TempDir
    Path dir;

    private final ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSpaceIsReservedOnceAndEachStatusIsWrittenOverThePreviousInPlace() throws Exception {
        Path file = dir.resolve("status.json");
        try (StatusFile status = StatusFile.open(file)) {
            assertEquals(StatusFile.MIN_RESERVE, Files.size(file));
            Object inode = Files.getAttribute(file, "unix:ino");
            status.write(utf8("{\"state\":\"running\",\"detail\":\"" + "x".repeat(1000) + "\"}"));
            status.write(utf8("{\"state\":\"stopped\"}"));
            assertEquals(StatusFile.MIN_RESERVE, Files.size(file), "the file keeps its reserved size");
            assertEquals(inode, Files.getAttribute(file, "unix:ino"), "the same file, not a new one");
            byte[] document = StatusFile.read(file).orElseThrow();
            assertEquals("stopped", strict.readTree(document).path("state").asText());
            assertEquals(3, strict.readTree(document).size(), "statusLength, statusCrc32 and state; nothing left of the longer one");
            // a reader that knows nothing of the header reads the whole file as JSON (white space after it)
            assertEquals("stopped", strict.readTree(file.toFile()).path("state").asText());
        }
    }

    @Test
    void theHeaderIsTheFixedWidthLengthAndCrc() {
        for (long[] c : new long[][] {{54, 0}, {55, 0x1L}, {1234567, 0xdeadbeefL}, {9_999_999_999L / 10, 0xffffffffL},
                {12345, 0x00abcdefL}, {Integer.MAX_VALUE, 0x80000000L}}) {
            String expected = String.format("{\"statusLength\":\"%010d\",\"statusCrc32\":\"%08x\",", c[0], c[1]);
            assertEquals(expected, new String(StatusFile.header((int) c[0], c[1]), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aTornDocumentIsNeverReturned() throws Exception {
        byte[] older = StatusFile.frame(utf8("{\"state\":\"running\",\"n\":111111}"));
        byte[] newer = StatusFile.frame(utf8("{\"state\":\"running\",\"n\":222222}"));
        assertArrayEquals(older, StatusFile.complete(older).orElseThrow());
        for (int cut = 1; cut < newer.length; cut++) {
            byte[] torn = older.clone();
            System.arraycopy(newer, 0, torn, 0, cut); // the writer got `cut` bytes in when the reader looked
            Optional<byte[]> seen = StatusFile.complete(torn);
            assertTrue(seen.isEmpty() || java.util.Arrays.equals(seen.get(), newer) || java.util.Arrays.equals(seen.get(), older),
                    "torn at " + cut + ": " + seen.map(String::new).orElse(""));
        }
        byte[] truncated = java.util.Arrays.copyOf(newer, newer.length - 3);
        assertTrue(StatusFile.complete(truncated).isEmpty(), "a document cut short by a crash");
        assertTrue(StatusFile.complete(utf8("          ")).isEmpty(), "reserved space with nothing written yet");
    }

    @Test
    void aStatusLargerThanTheReserveGrowsIt() throws Exception {
        Path file = dir.resolve("status.json");
        try (StatusFile status = StatusFile.open(file)) {
            String big = "{\"state\":\"running\",\"metrics\":\"" + "m".repeat(StatusFile.MIN_RESERVE) + "\"}";
            status.write(utf8(big));
            assertTrue(Files.size(file) >= 2L * StatusFile.MIN_RESERVE, "grown: " + Files.size(file));
            assertEquals(StatusFile.MIN_RESERVE, strict.readTree(StatusFile.read(file).orElseThrow()).path("metrics").asText().length());
        }
    }

    @Test
    void aFileFromAnOlderVersionIsReadAndThenReused() throws Exception {
        Path file = dir.resolve("status.json");
        Files.writeString(file, "{\"state\":\"stopped\",\"writtenMillis\":5}\n");
        Files.writeString(dir.resolve("status.json.tmp"), "{}");
        assertEquals("stopped", strict.readTree(StatusFile.read(file).orElseThrow()).path("state").asText());
        try (StatusFile status = StatusFile.open(file)) {
            assertTrue(Files.notExists(dir.resolve("status.json.tmp")), "the old writer's temporary file is removed");
            assertEquals(StatusFile.MIN_RESERVE, Files.size(file));
            assertEquals("stopped", strict.readTree(file.toFile()).path("state").asText(), "readable until the first write");
            status.write(utf8("{\"state\":\"running\"}"));
        }
        assertEquals("running", strict.readTree(StatusFile.read(file).orElseThrow()).path("state").asText());
    }

    @Test
    void reopeningKeepsTheLastStatusUntilTheNextWrite() throws Exception {
        Path file = dir.resolve("status.json");
        try (StatusFile status = StatusFile.open(file)) {
            status.write(utf8("{\"state\":\"stopped\",\"detail\":\"" + "d".repeat(5000) + "\"}"));
        }
        try (StatusFile status = StatusFile.open(file)) {
            assertEquals("stopped", strict.readTree(StatusFile.read(file).orElseThrow()).path("state").asText());
            status.write(utf8("{\"state\":\"running\"}"));
            assertEquals("running", strict.readTree(StatusFile.read(file).orElseThrow()).path("state").asText());
            assertEquals("running", strict.readTree(file.toFile()).path("state").asText(), "nothing of the longer one is left");
        }
    }

    @Test
    void noFileIsNoStatus() throws Exception {
        assertTrue(StatusFile.read(dir.resolve("status.json")).isEmpty());
    }

    @Test
    void onlyAnObjectWithMembersIsAStatus() {
        assertThrows(IllegalArgumentException.class, () -> StatusFile.frame(utf8("{ }")));
        assertThrows(IllegalArgumentException.class, () -> StatusFile.frame(utf8("[1]")));
    }
}
