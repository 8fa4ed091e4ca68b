package io.sluice.samplejson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for one encoder that compresses many small documents: the same bytes as {@link SeriesJson#gzip}
 * ({@link GZIPOutputStream} at a level), but each level's native {@link Deflater} and the output buffer are made once
 * and reset between documents instead of allocated per document. Meant for one thread at a time (a destination's
 * packing); {@link #close} ends the deflaters, after which each call uses a deflater of its own.
 */
public final class ReusableGzip implements AutoCloseable {

    /** The header {@link GZIPOutputStream} writes (no name, no time), taken from it so the bytes stay the same. */
    private static final byte[] HEADER = jdkHeader();

    private final Deflater[] deflaters = new Deflater[10];
    private final CRC32 crc = new CRC32();
    private byte[] buffer = new byte[8192];
    private boolean closed;

    /** {@code data} gzip'd at {@code level} (1 fastest .. 9 smallest), byte for byte as {@link SeriesJson#gzip}. */
    public synchronized byte[] gzip(byte[] data, int level) {
        if (level < 1 || level > 9) throw new IllegalArgumentException("gzip level " + level + " is not 1..9");
        if (closed) return SeriesJson.gzip(data, level);
        Deflater d = deflaters[level];
        if (d == null) {
            d = deflaters[level] = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setLevel(level); // as GZIPOutputStream does: a fresh stream, then its level
        } else {
            d.reset();
        }
        byte[] out = buffer;
        System.arraycopy(HEADER, 0, out, 0, HEADER.length);
        int pos = HEADER.length;
        d.setInput(data);
        while (!d.needsInput()) { // DeflaterOutputStream.write, then finish: the same calls, the same blocks
            if (pos == out.length) out = grow(out);
            pos += d.deflate(out, pos, out.length - pos);
        }
        d.finish();
        while (!d.finished()) {
            if (pos == out.length) out = grow(out);
            pos += d.deflate(out, pos, out.length - pos);
        }
        if (out.length - pos < 8) out = grow(out);
        crc.reset();
        crc.update(data);
        pos = writeIntLe(out, pos, (int) crc.getValue());
        pos = writeIntLe(out, pos, data.length);
        buffer = out.length <= (1 << 20) ? out : buffer; // keep a grown buffer unless a rare huge document grew it
        return Arrays.copyOf(out, pos);
    }

    private static byte[] grow(byte[] out) {
        return Arrays.copyOf(out, out.length * 2);
    }

    private static int writeIntLe(byte[] out, int pos, int v) {
        out[pos] = (byte) v;
        out[pos + 1] = (byte) (v >>> 8);
        out[pos + 2] = (byte) (v >>> 16);
        out[pos + 3] = (byte) (v >>> 24);
        return pos + 4;
    }

    /** Ends the native deflaters; later calls still work, each with a deflater of its own. */
    @Override
    public synchronized void close() {
        closed = true;
        for (int i = 0; i < deflaters.length; i++) {
            if (deflaters[i] != null) deflaters[i].end();
            deflaters[i] = null;
        }
    }

    private static byte[] jdkHeader() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(out.toByteArray(), 10);
    }
}
