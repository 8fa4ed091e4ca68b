package io.sluice.runtime.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Receipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Reads a store file without taking part in writing it, so {@code sluice streams ...} can look at the data folder of
 * a running gateway (WAL readers never block the writer). Knows the layout documented in {@link SqliteStreamStore}.
 */
public final class StoreInspector implements AutoCloseable {

    private final Connection connection;
    private static final ObjectMapper RECEIPT_JSON = new ObjectMapper();
    private final TagDictionary tags = new TagDictionary();

    public StoreInspector(Path file) {
        if (!Files.exists(file)) throw new SluiceException("no stream store at " + file, false);
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setReadOnly(true);
            config.setBusyTimeout(10_000);
            connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM tags")) {
                while (rs.next()) tags.load(rs.getInt(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot open " + file + ": " + e.getMessage(), false, e);
        }
    }

    public List<StreamStats> streams() {
        List<StreamStats> out = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.id, s.name, s.next_seq, s.dropped_ttl, s.dropped_full, s.rejected,"
                     + " (SELECT min(first_seq) FROM blocks b WHERE b.stream_id=s.id),"
                     + " (SELECT max(first_seq+sample_count) FROM blocks b WHERE b.stream_id=s.id),"
                     + " (SELECT coalesce(sum(length(data)),0) FROM blocks b WHERE b.stream_id=s.id),"
                     + " (SELECT min(oldest_rx) FROM blocks b WHERE b.stream_id=s.id)"
                     + " FROM streams s ORDER BY s.name")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                long next = Math.max(rs.getLong(3), rs.getLong(8));
                long first = rs.getObject(7) == null ? next : rs.getLong(7);
                out.add(new StreamStats(rs.getString(2), true, first, next, rs.getLong(9), rs.getLong(10),
                        cursors(id), rs.getLong(4), rs.getLong(5), rs.getLong(6), 0));
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read streams: " + e.getMessage(), true, e);
        }
        return out;
    }

    private Map<String, Long> cursors(long streamId) throws SQLException {
        Map<String, Long> cursors = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT destination, next_seq FROM cursors WHERE stream_id=? ORDER BY destination")) {
            ps.setLong(1, streamId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cursors.put(rs.getString(1), rs.getLong(2));
            }
        }
        return cursors;
    }

    /** Samples of a stream from {@code fromSequence}, at most {@code max}. */
    public List<StoredSample> read(String stream, long fromSequence, int max) {
        List<StoredSample> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT b.first_seq, b.connector, b.note, b.data FROM blocks b JOIN streams s ON s.id=b.stream_id"
                        + " WHERE s.name=? AND b.first_seq + b.sample_count > ? ORDER BY b.first_seq")) {
            ps.setString(1, stream);
            ps.setLong(2, fromSequence);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < max) {
                    long first = rs.getLong(1);
                    String connector = rs.getString(2);
                    String note = rs.getString(3);
                    byte[] data = rs.getBytes(4);
                    int sizeBefore = out.size();
                    try {
                        decodeInto(data, first, connector, note, fromSequence, max, out);
                    } catch (BlockCodec.CorruptBlockException e) {
                        // a tag first used after this inspector loaded the dictionary: reload once and retry
                        while (out.size() > sizeBefore) out.remove(out.size() - 1);
                        reloadTags();
                        decodeInto(data, first, connector, note, fromSequence, max, out);
                    }
                }
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read stream " + stream + ": " + e.getMessage(), true, e);
        }
        return out;
    }

    private void decodeInto(byte[] data, long first, String connector, String note, long fromSequence, int max, List<StoredSample> out) {
        BlockCodec.decode(data, (int) Math.max(0, fromSequence - first), tags, (i, s) -> {
            if (out.size() < max) out.add(new StoredSample(first + i, connector, s, note));
        });
    }

    private void reloadTags() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM tags")) {
            while (rs.next()) tags.load(rs.getInt(1), rs.getString(2));
        } catch (SQLException e) {
            throw new SluiceException("cannot read tags: " + e.getMessage(), true, e);
        }
    }

    /** A stored block with a note (a dead-letter run): its samples are sequences {@code [firstSequence, firstSequence + count)}. */
    public record NotedBlock(long firstSequence, int count, String note) {}

    /** The blocks of a stream holding sequences in {@code [from, to)} that carry a note, in sequence order. */
    public List<NotedBlock> notedBlocks(String stream, long from, long to) {
        List<NotedBlock> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT b.first_seq, b.sample_count, b.note FROM blocks b JOIN streams s ON s.id=b.stream_id"
                        + " WHERE s.name=? AND b.note IS NOT NULL AND b.first_seq < ? AND b.first_seq + b.sample_count > ?"
                        + " ORDER BY b.first_seq")) {
            ps.setString(1, stream);
            ps.setLong(2, to);
            ps.setLong(3, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new NotedBlock(rs.getLong(1), rs.getInt(2), rs.getString(3)));
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read stream " + stream + ": " + e.getMessage(), true, e);
        }
        return out;
    }

    /** Stored samples per distinct note of a stream (for a dead-letter stream: per origin run and reason). */
    public Map<String, Long> noteCounts(String stream) {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT b.note, sum(b.sample_count) FROM blocks b JOIN streams s ON s.id=b.stream_id"
                        + " WHERE s.name=? AND b.note IS NOT NULL GROUP BY b.note ORDER BY min(b.first_seq)")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read stream " + stream + ": " + e.getMessage(), true, e);
        }
        return out;
    }

    /**
     * The kept receipts of runs holding {@code sequence} of {@code stream}, oldest first (a sample delivered twice, after
     * a replay, has one per delivery). Empty for a store written before receipts were kept.
     */
    public List<DeliveryReceipt> receipts(String stream, long sequence) {
        List<DeliveryReceipt> out = new ArrayList<>();
        try {
            // a store written before rows could hold several runs has no runs column: every row is one run
            boolean runs = StoreSchema.hasColumn(connection, "receipts", "runs");
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT r.first_seq, r.last_seq, r.destination, r.delivered_at, r.receipt, " + (runs ? "r.runs" : "NULL")
                            + " FROM receipts r JOIN streams s ON s.id=r.stream_id WHERE s.name=? AND r.first_seq<=? AND r.last_seq>=?"
                            + " ORDER BY r.delivered_at, r.id")) {
                ps.setString(1, stream);
                ps.setLong(2, sequence);
                ps.setLong(3, sequence);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long[] run = ReceiptRuns.find(rs.getBytes(6), rs.getLong(1), rs.getLong(2), sequence);
                        if (run == null) continue; // the packet's runs skip this sequence (another packet delivered it)
                        out.add(new DeliveryReceipt(stream, run[0], run[1], rs.getString(3), rs.getLong(4),
                                RECEIPT_JSON.readValue(rs.getString(5), Receipt.class)));
                    }
                }
            }
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such table")) return out;
            throw new SluiceException("cannot read receipts of " + stream + ": " + e.getMessage(), true, e);
        } catch (JsonProcessingException e) {
            throw new SluiceException("a receipt of " + stream + " is not valid JSON: " + e.getOriginalMessage(), false, e);
        }
        return out;
    }

    /** A block with a note in {@code stream} (any stream's dead letters carry their origin in the note). */
    public record StreamNote(String stream, long firstSequence, int count, String note) {}

    /** The blocks of every stream whose note mentions {@code text} (a dead-letter note naming an origin stream). */
    public List<StreamNote> notesMentioning(String text) {
        List<StreamNote> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT s.name, b.first_seq, b.sample_count, b.note FROM blocks b JOIN streams s ON s.id=b.stream_id"
                        + " WHERE b.note IS NOT NULL AND instr(b.note, ?) > 0 ORDER BY s.name, b.first_seq")) {
            ps.setString(1, text);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new StreamNote(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read notes: " + e.getMessage(), true, e);
        }
        return out;
    }

    /** {@code PRAGMA integrity_check} result ("ok" when the file is sound). */
    public String integrityCheck() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) sb.append(sb.length() > 0 ? "; " : "").append(rs.getString(1));
            return sb.toString();
        } catch (SQLException e) {
            return "error: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing to do
        }
    }
}
