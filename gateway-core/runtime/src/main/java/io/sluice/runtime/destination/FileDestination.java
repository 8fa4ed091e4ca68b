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
import io.sluice.spi.destination.Receipt;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.metrics.Metrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON Lines files in a folder, holding whole lines only.
 *
 * <p>The contract: a call is confirmed only when all its lines are in the active file {@code <prefix>.jsonl} (and
 * fsync'd if asked); {@code confirmed} is the file offset after the last confirmed line.
 * <ul>
 *   <li>A write that fails midway (disk full, an I/O error) is cut back to {@code confirmed} before the call fails as
 *       retryable; if even the cut fails, the file is reopened and cut before the next write. A retry therefore
 *       always starts on a line boundary.</li>
 *   <li>At start, a partial last line (left by a kill -9 or power loss during a write) is cut off, counted
 *       ({@code file.partial-lines.cut}) and logged once. Whole lines of the call that was in flight stay: the
 *       publisher sends that window again (at least once, at most one window twice).</li>
 *   <li>When the active file reaches {@code rotate-size} or {@code rotate-age}, it is forced to disk and renamed
 *       atomically to {@code <prefix>-<UTC timestamp>.jsonl}. A closed file is complete before it gets its name and
 *       never changes again, so a reader of closed files never sees a partial record.</li>
 * </ul>
 * A written packet's receipt names the file it went to, its byte offset and length; after a rotation those bytes are
 * at the same offset of the rotated file.
 */
public final class FileDestination implements Destination, io.sluice.spi.destination.DestinationProbe {

    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(FileDestination.class);
    private static final DateTimeFormatter ROTATED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    /** Opens the active file for reading and writing; tests pass one whose channel fails on demand. */
    interface ChannelOpener {
        FileChannel open(Path file) throws IOException;
    }

    static final ChannelOpener DEFAULT_OPENER = file -> FileChannel.open(file,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    private final String name;
    private final FileDestinationConfig config;
    private final Path directory;
    private final ChannelOpener opener;
    private Clock clock = Clock.systemUTC();
    private Logger log = DEFAULT_LOG;
    private Metrics.Counter partialLinesCut = new LocalCounter();
    private Metrics.Counter writeFailures = new LocalCounter();
    private Metrics.Counter rotations = new LocalCounter();
    private ScheduledFuture<?> ageCheck;

    // guarded by this
    private FileChannel channel;
    /** Offset after the last confirmed line of the active file; -1 until the file was first opened and checked. */
    private long confirmed = -1;
    /** When the active file got its first line; null while it is empty. */
    private Instant firstLineAt;
    private boolean rotationFailing;
    /** Time in the name of the last closed file; the next name is later, so names sort in rotation order. */
    private Instant lastRotatedAt;

    FileDestination(String name, FileDestinationConfig config, ChannelOpener opener) {
        this.name = name;
        this.config = config;
        this.directory = Path.of(config.directory());
        this.opener = opener;
    }

    /** The active file, the one being written. */
    public Path currentFile() {
        return directory.resolve(config.prefix() + ".jsonl");
    }

    @Override
    public DestinationLimits limits() {
        return new DestinationLimits(64, 64L << 20, 16L << 20, 65_536, RateLimits.UNLIMITED);
    }

    @Override
    public void start(DestinationContext context) throws IOException {
        synchronized (this) {
            clock = context.clock();
            log = context.logger();
            partialLinesCut = context.metrics().counter("file.partial-lines.cut");
            writeFailures = context.metrics().counter("file.writes.failed");
            rotations = context.metrics().counter("file.rotations");
            openActive();
            rotateIfDue();
        }
        Duration age = config.rotateAge();
        if (!age.isZero() && !age.isNegative()) {
            long period = Math.max(100, Math.min(10_000, age.toMillis() / 4));
            ageCheck = context.scheduler().scheduleWithFixedDelay(this::checkAge, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The probe of {@code sluice destinations test}: writes, syncs and deletes a small file in the folder (it never
     * touches the active file), and reports the free space there.
     */
    @Override
    public CompletableFuture<String> probeAsync() {
        Path probe = directory.resolve(".sluice-probe-" + System.nanoTime());
        try {
            try (FileChannel c = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                c.write(ByteBuffer.wrap(new byte[] {'\n'}));
                c.force(true);
            } finally {
                Files.deleteIfExists(probe);
            }
            long free = Files.getFileStore(directory).getUsableSpace();
            return CompletableFuture.completedFuture(String.format("folder %s is writable, %,d MB free", directory, free >> 20));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new SluiceException("cannot write in " + directory + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()), true, e));
        }
    }

    /**
     * Opens the active file and cuts it to whole, confirmed lines: to {@code confirmed} when this instance knows it
     * (a reopen after a failed write), else to the end of its last whole line (a first open, maybe after a crash).
     */
    private void openActive() throws IOException {
        Files.createDirectories(directory);
        FileChannel opened = opener.open(currentFile());
        try {
            long size = opened.size();
            long keep;
            if (confirmed >= 0 && confirmed <= size) {
                keep = confirmed;
            } else {
                keep = endOfLastLine(opened, size);
                if (keep < size) {
                    partialLinesCut.increment();
                    log.warn("file destination {}: cut a partial last line of {} bytes from {} (left by an interrupted write)",
                            name, size - keep, currentFile());
                }
            }
            if (keep < size) opened.truncate(keep);
            if (firstLineAt == null && keep > 0) firstLineAt = firstLineTime(currentFile());
            confirmed = keep;
            channel = opened;
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
    }

    /** Offset just after the last '\n' before {@code size}, or 0 if there is none. */
    static long endOfLastLine(FileChannel ch, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        long end = size;
        while (end > 0) {
            long start = Math.max(0, end - buffer.capacity());
            buffer.clear().limit((int) (end - start));
            long at = start;
            while (buffer.hasRemaining()) {
                int n = ch.read(buffer, at);
                if (n < 0) break;
                at += n;
            }
            for (int i = buffer.position() - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') return start + i + 1;
            }
            end = start;
        }
        return 0;
    }

    private Instant firstLineTime(Path file) {
        try {
            Instant created = Files.readAttributes(file, BasicFileAttributes.class).creationTime().toInstant();
            Instant now = clock.instant();
            return created.isAfter(now) ? now : created;
        } catch (IOException e) {
            return clock.instant();
        }
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        return JsonLinesPacker.pack(samples, 4096);
    }

    @Override
    public synchronized CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        List<PacketOutcome> outcomes;
        try {
            if (channel == null) openActive();
            long position = confirmed;
            outcomes = new ArrayList<>(packets.size());
            String file = currentFile().getFileName().toString();
            for (Packet p : packets) {
                ByteBuffer buffer = ByteBuffer.wrap((byte[]) p.body());
                long start = position;
                while (buffer.hasRemaining()) position += channel.write(buffer, position);
                outcomes.add(PacketOutcome.delivered(Receipt.of("file", "file", file, "offset", String.valueOf(start),
                        "length", String.valueOf(position - start))));
            }
            if (config.fsync()) channel.force(false);
            if (confirmed == 0 && position > 0) firstLineAt = clock.instant();
            confirmed = position;
        } catch (IOException | RuntimeException e) {
            writeFailures.increment();
            cutBack();
            return CompletableFuture.failedFuture(SluiceException.retryable("cannot write to " + currentFile() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e));
        }
        rotateIfDue(); // the lines are confirmed whether or not the rotation works
        return CompletableFuture.completedFuture(outcomes);
    }

    /** After a failed write: cut the file back to the confirmed offset, or close it so the next write reopens and cuts. */
    private void cutBack() {
        if (channel == null) return;
        try {
            if (channel.size() > confirmed) channel.truncate(confirmed);
        } catch (IOException | RuntimeException e) {
            log.debug("file destination {}: cannot cut {} back to {} bytes now; will on reopen", name, currentFile(), confirmed, e);
            closeQuietly(channel);
            channel = null;
        }
    }

    /** Scheduled: rotates an active file that got too old even when nothing is written. */
    synchronized void checkAge() {
        if (channel != null) rotateIfDue();
    }

    private void rotateIfDue() {
        if (channel == null || confirmed <= 0) return;
        Duration age = config.rotateAge();
        boolean bySize = confirmed >= config.rotateSize().bytes();
        boolean byAge = !age.isZero() && !age.isNegative() && firstLineAt != null
                && !clock.instant().isBefore(firstLineAt.plus(age));
        if (!bySize && !byAge) return;
        try {
            rotate();
            if (rotationFailing) {
                rotationFailing = false;
                log.info("file destination {}: rotating files again", name);
            }
        } catch (IOException | RuntimeException e) {
            if (!rotationFailing) {
                rotationFailing = true;
                log.warn("file destination {}: cannot rotate {} ({}); writing on to it and trying again", name,
                        currentFile(), e.getMessage());
            }
        }
    }

    private void rotate() throws IOException {
        channel.force(false); // complete on disk before it gets its final name
        Path target = rotatedName();
        closeQuietly(channel);
        channel = null;
        Files.move(currentFile(), target, StandardCopyOption.ATOMIC_MOVE);
        confirmed = 0;
        firstLineAt = null;
        rotations.increment();
        prune();
        openActive();
    }

    private Path rotatedName() {
        Instant at = clock.instant();
        if (lastRotatedAt != null && !at.isAfter(lastRotatedAt)) at = lastRotatedAt.plusMillis(1);
        while (true) {
            Path candidate = directory.resolve(config.prefix() + "-" + ROTATED.format(at) + ".jsonl");
            if (!Files.exists(candidate)) {
                lastRotatedAt = at;
                return candidate;
            }
            at = at.plusMillis(1); // keeps names unique and in rotation order
        }
    }

    private void prune() throws IOException {
        if (config.keepFiles() <= 0) return;
        List<Path> old = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(f -> f.getFileName().toString().startsWith(config.prefix() + "-") && f.toString().endsWith(".jsonl"))
                    .sorted().forEach(old::add);
        }
        for (int i = 0; i < old.size() - config.keepFiles(); i++) Files.deleteIfExists(old.get(i));
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // reopened on the next write
        }
    }

    @Override
    public void close() {
        if (ageCheck != null) ageCheck.cancel(false);
        synchronized (this) {
            try {
                if (channel != null && channel.isOpen()) channel.force(false);
            } catch (IOException ignored) {
                // closing anyway
            }
            closeQuietly(channel);
            channel = null;
        }
    }

    private static final class LocalCounter implements Metrics.Counter {
        private final AtomicLong n = new AtomicLong();

        public void increment(long amount) { n.addAndGet(amount); }

        public long count() { return n.get(); }
    }

    public static final class Factory implements DestinationFactory<FileDestinationConfig> {
        public String type() { return "file"; }

        public String description() { return "JSON Lines files in a local folder, rotated by size and age; whole lines only"; }

        public Class<FileDestinationConfig> configType() { return FileDestinationConfig.class; }

        public void validate(FileDestinationConfig config, ProblemReporter problems) {
            if (config.directory().isBlank()) problems.report("directory", "expected a folder path, got an empty string");
            if (config.prefix().contains("/") || config.prefix().contains("\\")) problems.report("prefix", "expected a file name prefix without path separators");
            if (config.rotateSize().bytes() < 1024) problems.report("rotate-size", "expected at least 1KB");
            if (config.rotateAge().isNegative()) problems.report("rotate-age", "expected a duration of 0s (never) or more");
            else if (!config.rotateAge().isZero() && config.rotateAge().compareTo(Duration.ofSeconds(1)) < 0) {
                problems.report("rotate-age", "expected 0s (never) or at least 1s");
            }
        }

        public Destination create(String name, FileDestinationConfig config) {
            return new FileDestination(name, config, DEFAULT_OPENER);
        }
    }
}
