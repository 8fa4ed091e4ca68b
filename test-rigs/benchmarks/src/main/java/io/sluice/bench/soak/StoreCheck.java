package io.sluice.bench.soak;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Looks into the stopped gateway's store file with plain SQLite, read-only, as an outside check: the file's own
 * integrity check, each stream's durable counters and whether any stored block reaches past the stream's next
 * sequence number (samples stored although their append was never acknowledged).
 */
final class StoreCheck {

    /** One stream row of the store. */
    record StreamRow(String name, long nextSequence, long droppedTtl, long droppedFull, long rejected,
                     long samplesPastEnd) {
        long counted() {
            return droppedTtl + droppedFull + rejected;
        }
    }

    /** What the store says after the run. */
    record Result(String integrity, Map<String, StreamRow> streams) {}

    private StoreCheck() {}

    static Result check(Path storeFile) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + storeFile, config.toProperties());
             Statement st = c.createStatement()) {
            List<String> problems = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) problems.add(rs.getString(1));
            }
            String integrity = problems.equals(List.of("ok")) ? "ok" : String.join("; ", problems);
            Map<String, Long> columnsPresent = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("PRAGMA table_info(streams)")) {
                while (rs.next()) columnsPresent.put(rs.getString("name"), 1L);
            }
            String sql = "SELECT s.id, s.name, s.next_seq, " + column(columnsPresent, "dropped_ttl") + ", "
                    + column(columnsPresent, "dropped_full") + ", " + column(columnsPresent, "rejected")
                    + ", (SELECT COALESCE(SUM(MAX(0, MIN(b.sample_count, b.first_seq + b.sample_count - s.next_seq))), 0)"
                    + "     FROM blocks b WHERE b.stream_id = s.id) FROM streams s ORDER BY s.name";
            Map<String, StreamRow> streams = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    streams.put(rs.getString(2), new StreamRow(rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7)));
                }
            }
            return new Result(integrity, streams);
        }
    }

    private static String column(Map<String, Long> present, String name) {
        return present.containsKey(name) ? "s." + name : "0";
    }
}
