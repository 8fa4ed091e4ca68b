package io.sluice.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * {@code status.json}, written so that a full disk cannot stop it: the file's space is reserved once (filled with
 * spaces, so the blocks are really allocated, not sparse) and every later status is written over it in place,
 * never into a new file. A write that fits the reserve needs no free space.
 *
 * <p>The file is one JSON object followed by spaces, so any JSON reader can read it. Its first two members say
 * how long the document is and what its CRC-32 is, so {@link #read} never returns a torn document (one read while
 * it was being rewritten, or left half-written by a crash):
 *
 * <pre>
 *   {"statusLength":"0000012345","statusCrc32":"1a2b3c4d",   header, 54 bytes, fixed width
 *   ...the other members of the object...}                   statusLength counts header and this part;
 *                                                             statusCrc32 covers this part
 *   spaces to the end of the reserve                          (JSON allows trailing white space)
 * </pre>
 *
 * Each write covers at least the previous document's length with the new one or with spaces. When a status no
 * longer fits, the reserve grows (which needs free space; when there is none the write fails with
 * {@link TooLarge}, and the caller can write a shorter status). On a copy-on-write file system (btrfs, ZFS) an
 * in-place write still needs new blocks; there, as before, the status stops being rewritten on a full disk, and
 * {@code sluice status} still tells liveness from the data-directory lock.
 */
public final class StatusFile implements AutoCloseable {

    /** The space reserved at first: many times a typical status (a few KB, tens with every metric). */
    public static final int MIN_RESERVE = 256 * 1024;
    static final int HEADER_LENGTH = 54;
    private static final Pattern HEADER = Pattern.compile("\\{\"statusLength\":\"(\\d{10})\",\"statusCrc32\":\"([0-9a-f]{8})\",");

    /** A status larger than the reserve, on a disk without room to grow it. */
    public static final class TooLarge extends IOException {
        TooLarge(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private long reserved;
    private int lastLength;

    private StatusFile(Path file, FileChannel channel, long reserved) {
        this.file = file;
        this.channel = channel;
        this.reserved = reserved;
        this.lastLength = (int) Math.min(Integer.MAX_VALUE, reserved);
    }

    /**
     * Opens (or creates) the status file and reserves its space. An existing file keeps its space and its last
     * status (readable until the first {@link #write}); on a disk too full to reserve more, the file keeps what it
     * could get and {@link #write} grows it later.
     */
    public static StatusFile open(Path file) throws IOException {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp")); // left by versions that wrote a new file each time
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        StatusFile status = new StatusFile(file, channel, size);
        try {
            status.fillWithSpaces(size, MIN_RESERVE);
        } catch (IOException e) {
            // a full disk: keep what is allocated
        }
        status.reserved = channel.size();
        return status;
    }

    /** The bytes reserved for the status on disk. */
    public long reserved() {
        return reserved;
    }

    /** Writes {@code json}, a JSON object with at least one member, over the previous status. */
    public synchronized void write(byte[] json) throws IOException {
        byte[] document = frame(json);
        if (document.length > reserved) {
            long wanted = Math.max(2L * document.length, 2 * reserved);
            try {
                fillWithSpaces(reserved, wanted);
            } catch (IOException e) {
                reserved = channel.size();
                throw new TooLarge("status of " + document.length + " bytes does not fit the " + reserved
                        + " bytes reserved for it, and the disk has no room for more: " + e.getMessage(), e);
            }
            reserved = wanted;
        }
        int length = Math.max(document.length, lastLength);
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, reserved));
        buffer.put(document);
        while (buffer.hasRemaining()) buffer.put((byte) ' ');
        buffer.flip();
        writeFully(buffer, 0);
        lastLength = document.length;
    }

    /** The header followed by the rest of the object: the file's document for {@code json}. */
    static byte[] frame(byte[] json) {
        int open = 0;
        while (open < json.length && Character.isWhitespace(json[open])) open++;
        int close = json.length - 1;
        while (close >= 0 && Character.isWhitespace(json[close])) close--;
        if (open >= json.length || json[open] != '{' || json[close] != '}') {
            throw new IllegalArgumentException("a status is a JSON object");
        }
        int first = open + 1;
        while (first < close && Character.isWhitespace(json[first])) first++;
        if (first == close) throw new IllegalArgumentException("a status has at least one member");
        byte[] rest = Arrays.copyOfRange(json, open + 1, close + 1);
        CRC32 crc = new CRC32();
        crc.update(rest);
        byte[] header = header(HEADER_LENGTH + rest.length, crc.getValue());
        byte[] document = Arrays.copyOf(header, header.length + rest.length);
        System.arraycopy(rest, 0, document, header.length, rest.length);
        return document;
    }

    /** {@code {"statusLength":"%010d","statusCrc32":"%08x",}} of {@code length} and {@code crc32}, without a Formatter. */
    static byte[] header(int length, long crc32) {
        byte[] h = "{\"statusLength\":\"0000000000\",\"statusCrc32\":\"00000000\",".getBytes(StandardCharsets.US_ASCII);
        int at = 26; // the last digit of the length
        for (long v = length; v > 0 && at >= 17; v /= 10) h[at--] = (byte) ('0' + v % 10);
        at = 51; // the last digit of the CRC
        for (long v = crc32 & 0xffffffffL; v > 0; v >>>= 4) h[at--] = (byte) "0123456789abcdef".charAt((int) (v & 0xf));
        return h;
    }

    /**
     * The last complete status in {@code file} (without the padding), or empty when there is none: no file, or a
     * document being rewritten right now that stayed torn for every retry, or one a crash left half-written. A
     * file without the header (written by an older version) is returned as it is.
     */
    public static Optional<byte[]> read(Path file) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            Optional<byte[]> document = complete(bytes);
            if (document.isPresent()) return document;
            try {
                Thread.sleep(10); // a rewrite in progress takes well under a millisecond
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    /** The document in {@code bytes} if it is complete (its length and CRC-32 match), else empty. */
    static Optional<byte[]> complete(byte[] bytes) {
        String start = new String(bytes, 0, Math.min(HEADER_LENGTH, bytes.length), StandardCharsets.US_ASCII);
        Matcher m = HEADER.matcher(start);
        if (!m.matches()) {
            boolean legacy = bytes.length > 0 && bytes[0] == '{' && !start.startsWith("{\"statusLength\"");
            return legacy ? Optional.of(bytes) : Optional.empty();
        }
        long length = Long.parseLong(m.group(1));
        if (length > bytes.length || length < HEADER_LENGTH + 1) return Optional.empty();
        CRC32 crc = new CRC32();
        crc.update(bytes, HEADER_LENGTH, (int) length - HEADER_LENGTH);
        if (crc.getValue() != Long.parseLong(m.group(2), 16)) return Optional.empty();
        return Optional.of(Arrays.copyOf(bytes, (int) length));
    }

    private void fillWithSpaces(long from, long to) throws IOException {
        byte[] spaces = new byte[64 * 1024];
        Arrays.fill(spaces, (byte) ' ');
        for (long position = from; position < to; ) {
            int n = (int) Math.min(spaces.length, to - position);
            writeFully(ByteBuffer.wrap(spaces, 0, n), position);
            position += n;
        }
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) position += channel.write(buffer, position);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
