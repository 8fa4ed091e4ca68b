package io.sluice.runtime.destination;

import io.sluice.spi.SluiceException;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** JSON Lines files in a folder, rotated by size; a write is confirmed once it is in the file (fsync'd if asked). */
public final class FileDestination implements Destination {

    private static final DateTimeFormatter ROTATED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final FileDestinationConfig config;
    private final Path directory;
    private FileChannel channel;
    private long size;

    FileDestination(FileDestinationConfig config) {
        this.config = config;
        this.directory = Path.of(config.directory());
    }

    public Path currentFile() {
        return directory.resolve(config.prefix() + ".jsonl");
    }

    @Override
    public DestinationLimits limits() {
        return new DestinationLimits(64, 64L << 20, 16L << 20, 65_536, RateLimits.UNLIMITED);
    }

    @Override
    public void start(DestinationContext context) throws IOException {
        Files.createDirectories(directory);
        openCurrent();
    }

    private void openCurrent() throws IOException {
        channel = FileChannel.open(currentFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        return JsonLinesPacker.pack(samples, 4096);
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        try {
            if (channel == null || !channel.isOpen()) openCurrent();
            for (Packet p : packets) {
                ByteBuffer buffer = ByteBuffer.wrap((byte[]) p.body());
                while (buffer.hasRemaining()) size += channel.write(buffer);
            }
            if (config.fsync()) channel.force(false);
            if (size >= config.rotateSize().bytes()) rotate();
            return CompletableFuture.completedFuture(Collections.nCopies(packets.size(), PacketOutcome.DELIVERED));
        } catch (IOException e) {
            closeChannel();
            return CompletableFuture.failedFuture(new SluiceException("cannot write to " + currentFile() + ": " + e.getMessage(), true, e));
        }
    }

    private void rotate() throws IOException {
        channel.force(false);
        channel.close();
        Path rotated = directory.resolve(config.prefix() + "-" + ROTATED.format(java.time.Instant.now()) + ".jsonl");
        Files.move(currentFile(), rotated);
        if (config.keepFiles() > 0) {
            List<Path> old = new ArrayList<>();
            try (Stream<Path> files = Files.list(directory)) {
                files.filter(f -> f.getFileName().toString().startsWith(config.prefix() + "-") && f.toString().endsWith(".jsonl"))
                        .sorted().forEach(old::add);
            }
            for (int i = 0; i < old.size() - config.keepFiles(); i++) Files.deleteIfExists(old.get(i));
        }
        openCurrent();
    }

    private void closeChannel() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // reopened on the next write
        }
    }

    @Override
    public void close() {
        try {
            if (channel != null && channel.isOpen()) channel.force(false);
        } catch (IOException ignored) {
            // closing anyway
        }
        closeChannel();
    }

    public static final class Factory implements DestinationFactory<FileDestinationConfig> {
        public String type() { return "file"; }

        public String description() { return "JSON Lines files in a local folder, rotated by size"; }

        public Class<FileDestinationConfig> configType() { return FileDestinationConfig.class; }

        public void validate(FileDestinationConfig config, ProblemReporter problems) {
            if (config.directory().isBlank()) problems.report("directory", "expected a folder path, got an empty string");
            if (config.prefix().contains("/") || config.prefix().contains("\\")) problems.report("prefix", "expected a file name prefix without path separators");
            if (config.rotateSize().bytes() < 1024) problems.report("rotate-size", "expected at least 1KB");
        }

        public Destination create(String name, FileDestinationConfig config) { return new FileDestination(config); }
    }
}
