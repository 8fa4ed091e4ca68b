package io.sluice.runtime.store;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact binary form of a block of samples, the payload of one row of the store. Tags and units are written
 * once per block in dictionaries; times are deltas from the previous sample; integers are zig-zag varints.
 *
 * <pre>
 * block   := magic 0x53 | version 0x03 | count:varint | units:dict | sample{count}
 * dict    := n:varint | (len:varint utf8-bytes){n}
 * sample  := tag-id:varint | header:u8 | [status:varint] | [unit-index:varint]
 *            | source-time-delta:zigzag | receive-time-delta:zigzag | [server-minus-source:zigzag] | value
 * header  := bits 0-2 value type | bit 3 has server time | bits 4-5 quality (0 GOOD, 1 UNCERTAIN, 2 BAD)
 *            | bit 6 has status | bit 7 has unit
 * value   := by type: 0 false, 1 true (no bytes) | 2 integer zigzag | 3 float64 8 bytes LE | 4 string len utf8
 *            | 5 bytes len raw | 6 array n (type:u8 value){n} | 7 struct n (name:string type:u8 value){n}
 * </pre>
 * Time deltas start from 0, so the first sample carries absolute epoch nanoseconds. The server time, when the source
 * has one, is stored as its offset from the sample's own source time (usually a few milliseconds). Version 2 blocks
 * are version 3 blocks without server times and decode unchanged. Tag ids are numbered store-wide
 * by {@link Tags} (the {@code tags} table), so a tag name is stored once, not once per block.
 */
public final class BlockCodec {

    static final int MAGIC = 0x53;
    static final int VERSION = 3;
    private static final int OLDEST_READABLE_VERSION = 2;
    private static final int HAS_SERVER_TIME = 0x08;
    private static final int T_FALSE = 0, T_TRUE = 1, T_INT = 2, T_FLOAT = 3, T_STRING = 4, T_BYTES = 5, T_ARRAY = 6, T_STRUCT = 7;

    private BlockCodec() {}

    /** Numbers tag names; {@link #nameOf} throws CorruptBlockException for an unknown id. */
    public interface Tags {
        int idOf(String tag);

        String nameOf(int id);

        /**
         * The id of the tag of the sample at {@code position} of the list being encoded; an implementation may
         * remember the ids by position for a producer that sends the same tags in the same order every time.
         */
        default int idOf(int position, String tag) {
            return idOf(tag);
        }
    }

    /** Encodes samples {@code from} (inclusive) to {@code to} (exclusive) of the list. */
    public static byte[] encode(List<Sample> samples, int from, int to, Tags tags) {
        Map<String, Integer> units = new HashMap<>();
        List<String> unitList = new ArrayList<>();
        ByteWriter body = new ByteWriter(Math.max(64, (to - from) * 16));
        long previousSource = 0;
        long previousReceive = 0;
        for (int i = from; i < to; i++) {
            Sample s = samples.get(i);
            body.varint(tags.idOf(i, s.tag()));
            int header = typeOf(s.value()) | (s.quality().ordinal() << 4);
            if (s.statusCode() != 0) header |= 0x40;
            if (s.unit() != null) header |= 0x80;
            if (s.hasServerTime()) header |= HAS_SERVER_TIME;
            body.u8(header);
            if (s.statusCode() != 0) body.varint(s.statusCode());
            if (s.unit() != null) {
                Integer unitIndex = units.get(s.unit());
                if (unitIndex == null) {
                    unitIndex = unitList.size();
                    units.put(s.unit(), unitIndex);
                    unitList.add(s.unit());
                }
                body.varint(unitIndex);
            }
            body.zigzag(s.sourceTimeNanos() - previousSource);
            body.zigzag(s.receiveTimeNanos() - previousReceive);
            previousSource = s.sourceTimeNanos();
            previousReceive = s.receiveTimeNanos();
            if (s.hasServerTime()) body.zigzag(s.serverTimeNanos() - s.sourceTimeNanos());
            writeValue(body, s.value());
        }
        ByteWriter out = new ByteWriter(body.size() + unitList.size() * 12 + 16);
        out.u8(MAGIC);
        out.u8(VERSION);
        out.varint(to - from);
        writeDictionary(out, unitList);
        out.bytes(body.buffer(), 0, body.size());
        return out.toArray();
    }

    private static void writeDictionary(ByteWriter out, List<String> entries) {
        out.varint(entries.size());
        for (String e : entries) out.string(e);
    }

    private static int typeOf(Value v) {
        if (v instanceof Value.BoolValue b) return b.value() ? T_TRUE : T_FALSE;
        if (v instanceof Value.IntValue) return T_INT;
        if (v instanceof Value.FloatValue) return T_FLOAT;
        if (v instanceof Value.StringValue) return T_STRING;
        if (v instanceof Value.BytesValue) return T_BYTES;
        if (v instanceof Value.ArrayValue) return T_ARRAY;
        return T_STRUCT;
    }

    private static void writeValue(ByteWriter out, Value v) {
        if (v instanceof Value.IntValue i) {
            out.zigzag(i.value());
        } else if (v instanceof Value.FloatValue f) {
            out.i64(Double.doubleToRawLongBits(f.value()));
        } else if (v instanceof Value.StringValue s) {
            out.string(s.value());
        } else if (v instanceof Value.BytesValue b) {
            out.varint(b.value().length);
            out.bytes(b.value(), 0, b.value().length);
        } else if (v instanceof Value.ArrayValue a) {
            out.varint(a.elements().size());
            for (Value e : a.elements()) {
                out.u8(typeOf(e));
                writeValue(out, e);
            }
        } else if (v instanceof Value.StructValue s) {
            out.varint(s.fields().size());
            for (Map.Entry<String, Value> e : s.fields().entrySet()) {
                out.string(e.getKey());
                out.u8(typeOf(e.getValue()));
                writeValue(out, e.getValue());
            }
        }
        // booleans live in the type bits
    }

    /** Receives decoded samples with their index within the block. */
    @FunctionalInterface
    public interface SampleConsumer {
        void accept(int index, Sample sample);
    }

    /** Number of samples in an encoded block, read from its header. */
    public static int count(byte[] block) {
        ByteReader in = new ByteReader(block);
        checkHeader(in);
        return (int) in.varint();
    }

    /** Decodes samples with index {@code >= skip} and hands them to {@code consumer}; throws CorruptBlockException. */
    public static void decode(byte[] block, int skip, Tags tags, SampleConsumer consumer) {
        try {
            ByteReader in = new ByteReader(block);
            checkHeader(in);
            int count = (int) in.varint();
            String[] units = readDictionary(in);
            long source = 0;
            long receive = 0;
            for (int i = 0; i < count; i++) {
                String tag = tags.nameOf((int) in.varint());
                int header = in.u8();
                long status = (header & 0x40) != 0 ? in.varint() : 0;
                String unit = (header & 0x80) != 0 ? units[(int) in.varint()] : null;
                source += in.zigzag();
                receive += in.zigzag();
                long server = (header & HAS_SERVER_TIME) != 0 ? source + in.zigzag() : Sample.NO_SERVER_TIME;
                Value value = readValue(in, header & 0x07);
                if (i >= skip) {
                    consumer.accept(i, new Sample(tag, value, QUALITIES[(header >> 4) & 0x03], status, source, server,
                            receive, unit));
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof CorruptBlockException c) throw c;
            throw new CorruptBlockException("corrupt block: " + e, e);
        }
    }

    private static final Quality[] QUALITIES = {Quality.GOOD, Quality.UNCERTAIN, Quality.BAD, Quality.BAD};

    private static void checkHeader(ByteReader in) {
        int magic = in.u8();
        int version = in.u8();
        if (magic != MAGIC || version < OLDEST_READABLE_VERSION || version > VERSION) {
            throw new CorruptBlockException("not a sample block (magic " + magic + ", version " + version + ")", null);
        }
    }

    private static String[] readDictionary(ByteReader in) {
        int n = (int) in.varint();
        if (n < 0 || n > 10_000_000) throw new CorruptBlockException("bad dictionary size " + n, null);
        String[] entries = new String[n];
        for (int i = 0; i < n; i++) entries[i] = in.string();
        return entries;
    }

    private static Value readValue(ByteReader in, int type) {
        switch (type) {
            case T_FALSE: return Value.BoolValue.FALSE;
            case T_TRUE: return Value.BoolValue.TRUE;
            case T_INT: return new Value.IntValue(in.zigzag());
            case T_FLOAT: return new Value.FloatValue(Double.longBitsToDouble(in.i64()));
            case T_STRING: return new Value.StringValue(in.string());
            case T_BYTES: return new Value.BytesValue(in.bytes((int) in.varint()));
            case T_ARRAY: {
                int n = (int) in.varint();
                List<Value> elements = new ArrayList<>(n);
                for (int i = 0; i < n; i++) elements.add(readValue(in, in.u8()));
                return new Value.ArrayValue(elements);
            }
            case T_STRUCT: {
                int n = (int) in.varint();
                Map<String, Value> fields = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String name = in.string();
                    fields.put(name, readValue(in, in.u8()));
                }
                return new Value.StructValue(fields);
            }
            default: throw new CorruptBlockException("unknown value type " + type, null);
        }
    }

    /** A block that cannot be decoded (damaged file, foreign data). */
    public static final class CorruptBlockException extends RuntimeException {
        CorruptBlockException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class ByteWriter {
        private byte[] buf;
        private int pos;

        ByteWriter(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int extra) {
            if (pos + extra > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }

        void u8(int b) {
            ensure(1);
            buf[pos++] = (byte) b;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        void i64(long v) {
            ensure(8);
            byte[] b = buf;
            int p = pos;
            b[p] = (byte) v;
            b[p + 1] = (byte) (v >>> 8);
            b[p + 2] = (byte) (v >>> 16);
            b[p + 3] = (byte) (v >>> 24);
            b[p + 4] = (byte) (v >>> 32);
            b[p + 5] = (byte) (v >>> 40);
            b[p + 6] = (byte) (v >>> 48);
            b[p + 7] = (byte) (v >>> 56);
            pos = p + 8;
        }

        void bytes(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            bytes(utf8, 0, utf8.length);
        }

        int size() { return pos; }

        byte[] buffer() { return buf; }

        byte[] toArray() { return java.util.Arrays.copyOf(buf, pos); }
    }

    static final class ByteReader {
        private final byte[] buf;
        private int pos;

        ByteReader(byte[] buf) {
            this.buf = buf;
        }

        int u8() {
            if (pos >= buf.length) throw new CorruptBlockException("block truncated", null);
            return buf[pos++] & 0xFF;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new CorruptBlockException("varint too long", null);
        }

        long zigzag() {
            long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        long i64() {
            if (pos + 8 > buf.length) throw new CorruptBlockException("block truncated", null);
            long v = 0;
            for (int i = 0; i < 8; i++) v |= (long) (buf[pos++] & 0xFF) << (8 * i);
            return v;
        }

        byte[] bytes(int len) {
            if (len < 0 || pos + len > buf.length) throw new CorruptBlockException("block truncated", null);
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            int len = (int) varint();
            if (len < 0 || pos + len > buf.length) throw new CorruptBlockException("block truncated", null);
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }
}
