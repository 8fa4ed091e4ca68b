package io.sluice.connector.lorawan;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last accepted 32-bit uplink frame counter of every device, kept in memory and saved to
 * {@code <state>/frame-counters.txt} so that a restart does not accept replayed frames again.
 *
 * <p>File format, one line per device: {@code <device name> <DevAddr hex> <last FCnt, decimal>}; lines starting with
 * {@code #} are comments. A counter belongs to a DevAddr: when the config gives a device a new DevAddr its counter
 * starts afresh. Saving writes {@code frame-counters.txt.tmp}, forces it to disk and renames it over the old file,
 * so a crash leaves either the old or the new file, never a torn one.
 *
 * <p>Not thread-safe except {@link #write}: the owner calls the other methods under its own lock.
 */
public final class FrameCounterStore {

    static final String FILE = "frame-counters.txt";

    private final Path file;
    private final Map<String, Counter> counters = new HashMap<>(); // by device name

    /** A device's last accepted frame counter, valid for the session at {@code devAddr} (unsigned 32 bits). */
    private record Counter(long devAddr, long last) {}
    private boolean dirty;

    public FrameCounterStore(Path stateDirectory) {
        this.file = stateDirectory == null ? null : stateDirectory.resolve(FILE);
    }

    /** Loads the file if it exists; unreadable lines are skipped and returned as a count. */
    public int load() throws IOException {
        if (file == null || !Files.exists(file)) {
            return 0;
        }
        int bad = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.trim();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("\\s+");
            try {
                if (parts.length != 3) throw new NumberFormatException();
                counters.put(parts[0], new Counter(Long.parseLong(parts[1], 16), Long.parseLong(parts[2])));
            } catch (NumberFormatException e) {
                bad++;
            }
        }
        return bad;
    }

    /** The last accepted counter of {@code device} at {@code devAddr}, or -1 when none. */
    public long last(String device, int devAddr) {
        Counter c = counters.get(device);
        return c == null || c.devAddr() != (devAddr & 0xFFFFFFFFL) ? -1 : c.last();
    }

    public void accept(String device, int devAddr, long fcnt32) {
        counters.put(device, new Counter(devAddr & 0xFFFFFFFFL, fcnt32));
        dirty = true;
    }

    /** Drops a counter (an OTAA session that a new join replaced). */
    public void forget(String device) {
        if (counters.remove(device) != null) {
            dirty = true;
        }
    }

    public boolean dirty() {
        return dirty;
    }

    /** Writes the file when something changed since the last save. */
    public void saveIfDirty() throws IOException {
        byte[] content = snapshotIfDirty();
        if (content != null) {
            write(content);
        }
    }

    /**
     * The file content when something changed since the last snapshot (and marks it saved), else null. Cheap enough
     * to call under the pipeline's lock; {@link #write} then does the slow part outside it.
     */
    public byte[] snapshotIfDirty() {
        if (!dirty || file == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(80 + counters.size() * 40);
        sb.append("# last accepted LoRaWAN uplink frame counters: device dev-addr fcnt\n");
        new TreeMap<>(counters).forEach((name, c) -> {
            String hex = Long.toHexString(c.devAddr());
            sb.append(name).append(' ');
            for (int i = hex.length(); i < 8; i++) sb.append('0');
            sb.append(hex).append(' ').append(c.last()).append('\n');
        });
        dirty = false;
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code content} to a temporary file, forces it to disk and renames it over the counter file. */
    public synchronized void write(byte[] content) throws IOException {
        if (file == null) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
