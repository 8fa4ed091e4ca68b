package io.sluice.connector.lorawan;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the uplink events stored recently, so that an event an MQTT broker delivers again (QoS 1 after a lost
 * acknowledgement, a reconnect, a restart) is recognised and dropped. Bounded: at most {@code capacity} ids, none
 * older than {@code maxAge}; the oldest go first.
 *
 * <p>Kept in memory and, when there is a state directory, in {@code <state>/mqtt-recent-ids.txt}:
 * <pre>
 *   file  = line*
 *   line  = epoch-millis ' ' id '\n'        (the time the event was stored)
 * </pre>
 * An id is appended (and flushed to the OS, not forced to disk) after the event's samples are committed and before
 * the broker is acknowledged, so a restart of the process recognises every event it acknowledged; after a power
 * loss the last few may be stored again. The file is read back on start and rewritten ({@code .tmp}, forced,
 * renamed) when it holds twice {@code capacity} lines, so it stays bounded too. Ids longer than 128 characters or
 * with whitespace are kept as their SHA-256.
 *
 * <p>Thread-safe.
 */
final class RecentIds implements AutoCloseable {

    static final String FILE = "mqtt-recent-ids.txt";
    private static final int MAX_ID_LENGTH = 128;

    private final int capacity;
    private final long maxAgeMillis;
    private final Path file;
    private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>(); // oldest first
    private BufferedWriter out;
    private int linesInFile;

    /**
     * @param capacity       how many ids are kept; 0 turns de-duplication off
     * @param maxAgeMillis   how long an id is kept
     * @param stateDirectory where the file lives, or null to keep the ids in memory only
     */
    RecentIds(int capacity, long maxAgeMillis, Path stateDirectory) {
        this.capacity = capacity;
        this.maxAgeMillis = maxAgeMillis;
        this.file = stateDirectory == null || capacity == 0 ? null : stateDirectory.resolve(FILE);
    }

    /** Reads the file back (ids older than max-age dropped) and opens it for appending; returns unreadable lines. */
    synchronized int load(long nowMillis) throws IOException {
        if (file == null) {
            return 0;
        }
        int bad = 0;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int space = line.indexOf(' ');
                try {
                    if (space <= 0 || space == line.length() - 1) throw new NumberFormatException();
                    long at = Long.parseLong(line.substring(0, space));
                    String id = line.substring(space + 1);
                    ids.remove(id);
                    ids.put(id, at);
                } catch (NumberFormatException e) {
                    bad++;
                }
            }
        }
        expire(nowMillis);
        rewrite();
        return bad;
    }

    /** Whether {@code id} was stored within the window. */
    synchronized boolean contains(String id, long nowMillis) {
        if (capacity == 0) {
            return false;
        }
        expire(nowMillis);
        return ids.containsKey(key(id));
    }

    /** Remembers {@code id} as stored now; throws when the file cannot be written (the id is remembered in memory). */
    synchronized void add(String id, long nowMillis) throws IOException {
        if (capacity == 0) {
            return;
        }
        String k = key(id);
        ids.remove(k);
        ids.put(k, nowMillis);
        expire(nowMillis);
        if (file == null) {
            return;
        }
        try {
            if (out == null || linesInFile >= 2 * capacity) {
                rewrite(); // also after a failed write: the file is made whole again
                return;
            }
            out.write(Long.toString(nowMillis));
            out.write(' ');
            out.write(k);
            out.write('\n');
            out.flush();
            linesInFile++;
        } catch (IOException e) {
            closeWriter();
            throw e;
        }
    }

    synchronized int size() {
        return ids.size();
    }

    private void expire(long nowMillis) {
        Iterator<Map.Entry<String, Long>> it = ids.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (ids.size() > capacity || nowMillis - e.getValue() > maxAgeMillis) {
                it.remove();
            } else {
                break;
            }
        }
    }

    /** Writes the ids in memory to a temporary file, forces it, renames it over the file and appends from there. */
    private void rewrite() throws IOException {
        closeWriter();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        StringBuilder sb = new StringBuilder(ids.size() * 56);
        ids.forEach((id, at) -> sb.append(at).append(' ').append(id).append('\n'));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        linesInFile = ids.size();
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static String key(String id) {
        if (id.length() <= MAX_ID_LENGTH && id.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return id;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private void closeWriter() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // appended lines were flushed already
            }
            out = null;
        }
    }

    @Override
    public synchronized void close() {
        closeWriter();
    }
}
