package io.sluice.runtime.store;

import io.sluice.runtime.store.StoredStream.FileStream;
import io.sluice.spi.SluiceException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The store's tables (see {@link SqliteStreamStore}), their format check and upgrade, and loading them into memory. */
final class StoreSchema {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);
    /** Format 3 blocks may carry server times; a format 2 file has the same tables and is upgraded in place. */
    static final String FORMAT_VERSION = "3";
    static final String UPGRADABLE_FORMAT = "2";

    private StoreSchema() {}

    /** Creates missing tables and checks (or upgrades) the format; runs in autocommit mode. */
    static void createOrUpgrade(Connection c, Path file) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS streams(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                    + " next_seq INTEGER NOT NULL, dropped_ttl INTEGER NOT NULL DEFAULT 0,"
                    + " dropped_full INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0)");
            st.execute("CREATE TABLE IF NOT EXISTS blocks(id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL,"
                    + " first_seq INTEGER NOT NULL, sample_count INTEGER NOT NULL, oldest_rx INTEGER NOT NULL,"
                    + " newest_rx INTEGER NOT NULL, connector TEXT NOT NULL, note TEXT, data BLOB NOT NULL)");
            st.execute("CREATE UNIQUE INDEX IF NOT EXISTS blocks_by_stream ON blocks(stream_id, first_seq)");
            st.execute("CREATE TABLE IF NOT EXISTS tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS cursors(stream_id INTEGER NOT NULL, destination TEXT NOT NULL,"
                    + " next_seq INTEGER NOT NULL, PRIMARY KEY(stream_id, destination)) WITHOUT ROWID");
            // added in format 3 without a format change: older versions ignore the table
            st.execute("CREATE TABLE IF NOT EXISTS receipts(id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL,"
                    + " first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, destination TEXT NOT NULL,"
                    + " delivered_at INTEGER NOT NULL, receipt TEXT NOT NULL)");
            // runs (ReceiptRuns) added later, also without a format change: a row without it is one run
            if (!hasColumn(c, "receipts", "runs")) st.execute("ALTER TABLE receipts ADD COLUMN runs BLOB");
            st.execute("CREATE INDEX IF NOT EXISTS receipts_by_stream ON receipts(stream_id, first_seq)");
            st.execute("CREATE INDEX IF NOT EXISTS receipts_by_time ON receipts(delivered_at)");
            st.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('format', '" + FORMAT_VERSION + "')");
        }
        String format;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key='format'")) {
            format = rs.next() ? rs.getString(1) : FORMAT_VERSION;
        }
        if (UPGRADABLE_FORMAT.equals(format)) {
            try (Statement st = c.createStatement()) {
                st.execute("UPDATE meta SET value='" + FORMAT_VERSION + "' WHERE key='format'");
            }
            log.info("{}: store format {} upgraded to {}", file, format, FORMAT_VERSION);
        } else if (!FORMAT_VERSION.equals(format)) {
            throw new SluiceException(file + " has store format " + format + ", this version reads formats "
                    + UPGRADABLE_FORMAT + " and " + FORMAT_VERSION, false);
        }
    }

    /** Whether {@code table} has the column {@code column}. */
    static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) return true;
            }
        }
        return false;
    }

    /** Reads tags, streams, the block index and cursors into memory. */
    static void load(Connection c, TagDictionary tags, Map<String, StoredStream> streams) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM tags")) {
            while (rs.next()) tags.load(rs.getInt(1), rs.getString(2));
        }
        Map<Long, FileStream> byId = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, name, next_seq, dropped_ttl, dropped_full, rejected FROM streams")) {
            while (rs.next()) {
                FileStream s = new FileStream(rs.getString(2), rs.getLong(1), null);
                s.nextSeq = rs.getLong(3);
                s.droppedTtl = rs.getLong(4);
                s.droppedFull = rs.getLong(5);
                s.rejected = rs.getLong(6);
                byId.put(s.id, s);
                streams.put(s.name, s);
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream_id, first_seq, sample_count, newest_rx, oldest_rx, length(data) FROM blocks")) {
            while (rs.next()) {
                FileStream s = byId.get(rs.getLong(1));
                if (s == null) continue;
                BlockMeta b = new BlockMeta(rs.getLong(2), rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getInt(6), null, null, null);
                s.blocks.put(b.firstSeq(), b);
                s.bytes += b.bytes();
                s.nextSeq = Math.max(s.nextSeq, b.endSeq());
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT stream_id, destination, next_seq FROM cursors")) {
            while (rs.next()) {
                FileStream s = byId.get(rs.getLong(1));
                if (s != null) s.cursors.put(rs.getString(2), rs.getLong(3));
            }
        }
    }
}
