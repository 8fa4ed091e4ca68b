package io.sluice.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file destination's output: its folder ({@code live}, on the gateway's small data disk, so a full disk hits the
 * destination's writes too) and an archive folder on the normal disk, where the soak moves each rotated (closed)
 * file as a log shipper would. The current file is {@code <prefix>.jsonl}, rotated ones {@code <prefix>-<time>.jsonl}.
 */
record FileOutput(Path live, Path archive, String prefix) {

    /** Every file in write order: rotated ones (archived or not yet) by their timestamped names, the current one last. */
    List<Path> files() throws IOException {
        List<Path> rotated = new ArrayList<>();
        for (Path dir : List.of(archive, live)) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(this::isRotated).forEach(rotated::add);
            }
        }
        rotated.sort(Comparator.comparing(p -> p.getFileName().toString()));
        Path current = live.resolve(prefix + ".jsonl");
        if (Files.exists(current)) rotated.add(current);
        return rotated;
    }

    /** Bytes written so far, over all files. */
    long bytes() throws IOException {
        long n = 0;
        for (Path p : files()) {
            try {
                n += Files.size(p);
            } catch (java.nio.file.NoSuchFileException e) {
                // rotated or archived between listing and sizing: counted under its new name on the next call
            }
        }
        return n;
    }

    /** Moves rotated files from the live folder to the archive; returns how many. */
    int archiveRotated() throws IOException {
        if (!Files.isDirectory(live)) return 0;
        List<Path> rotated;
        try (Stream<Path> s = Files.list(live)) {
            rotated = s.filter(this::isRotated).toList();
        }
        int moved = 0;
        for (Path p : rotated) {
            Path target = archive.resolve(p.getFileName());
            Path partial = archive.resolve(p.getFileName() + ".part");
            Files.copy(p, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.delete(p);
            moved++;
        }
        return moved;
    }

    private boolean isRotated(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(prefix + "-") && name.endsWith(".jsonl");
    }
}
