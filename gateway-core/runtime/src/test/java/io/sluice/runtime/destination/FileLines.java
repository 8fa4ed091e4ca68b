package io.sluice.runtime.destination;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads what a file destination wrote: closed files in name order, then the active file; every line must be whole JSON. */
final class FileLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FileLines() {}

    static List<Path> closedFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("samples-")).sorted().toList();
        }
    }

    /** Sequence numbers of every line in the folder, in file order; fails on any partial or non-JSON line. */
    static List<Long> sequences(Path dir) throws IOException {
        List<Path> files = new ArrayList<>(closedFiles(dir));
        Path active = dir.resolve("samples.jsonl");
        if (Files.exists(active)) files.add(active);
        List<Long> seqs = new ArrayList<>();
        for (Path f : files) seqs.addAll(sequencesOf(f));
        return seqs;
    }

    static List<Long> sequencesOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length == 0 || bytes[bytes.length - 1] == '\n', file + " ends inside a line");
        List<Long> seqs = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.has("seq") || !node.has("value")) fail(file + ": incomplete record: " + line);
                seqs.add(node.get("seq").asLong());
            } catch (IOException e) {
                fail(file + ": broken line: " + (line.length() > 200 ? line.substring(0, 200) + "..." : line));
            }
        }
        return seqs;
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) out.add(i);
        return out;
    }
}
