package io.discordrag.indexer.job.source;

import io.discordrag.indexer.job.config.PostgresOptions;

import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The backfill's bounded source: the {@code messages} table read once over JDBC, split into
 * primary-key ranges of about {@code backfill.split-rows} rows that the parallel readers share,
 * each row as a {@link MessageChange.Kind#SNAPSHOT} change — what the streaming job's CDC snapshot
 * delivers, so the rest of the pipeline is the same.
 *
 * <p>The ranges are numbered by a bounded sequence source and each reader streams its ranges with a
 * server-side cursor over one connection of its own. Why not Flink CDC's snapshot-only startup:
 * with more than one reader its split assigner waits for a completed checkpoint before it finishes,
 * and BATCH execution has no checkpoints, so the job would never end. Why not
 * flink-connector-jdbc's {@code JdbcSource} (3.3.0): its readers share one connection between a
 * fetcher that goes idle after a split and the next one, and the idle fetcher's close can close it
 * under the next split's query ("Socket closed") — a table of many splits failed that way.
 */
public final class MessageTableSource {

    /**
     * Default rows per key range: enough ranges for every reader, few enough to keep queries
     * efficient.
     */
    public static final long DEFAULT_SPLIT_ROWS = 50_000;

    private MessageTableSource() {}

    /** The table's key ranges: {@code count} ranges of equal id width covering [min, max]. */
    record Ranges(long min, long max, int count) implements java.io.Serializable {
        static Ranges of(long min, long max, long rows, long rowsPerRange) {
            int count =
                    (int)
                            Math.max(
                                    1,
                                    Math.min(
                                            100_000,
                                            (rows + rowsPerRange - 1) / Math.max(1, rowsPerRange)));
            return new Ranges(min, max, count);
        }

        private long width() {
            long span = max - min; // ids are positive snowflakes: no overflow
            return span / count + 1;
        }

        long lower(int i) {
            return min + i * width();
        }

        long upper(int i) {
            return i == count - 1 ? max : Math.min(max, lower(i) + width() - 1);
        }
    }

    /**
     * Adds the source to {@code env}: a bounded sequence of range numbers (uid {@code sourceUid})
     * read by {@link RangeReader} (uid {@code readerUid}).
     */
    public static DataStream<MessageChange> create(
            StreamExecutionEnvironment env,
            PostgresOptions postgres,
            long rowsPerRange,
            String sourceUid,
            String readerUid)
            throws SQLException {
        if (rowsPerRange < 1) {
            throw new IllegalArgumentException(
                    "backfill.split-rows must be at least 1, not " + rowsPerRange);
        }
        Ranges ranges;
        try (Connection c = postgres.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM messages")) {
            rs.next();
            ranges = Ranges.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rowsPerRange);
        }
        return env.fromSequence(0, ranges.count() - 1)
                .uid(sourceUid)
                .name("Postgres table: public.messages (" + ranges.count() + " key ranges)")
                .flatMap(new RangeReader(postgres, ranges), TypeInformation.of(MessageChange.class))
                .uid(readerUid)
                .name("Read messages by key range");
    }

    /**
     * Streams the rows of each key range it is given, in id order, over one connection of its own.
     */
    static final class RangeReader extends RichFlatMapFunction<Long, MessageChange> {

        private static final long serialVersionUID = 1L;
        private static final String SQL =
                "SELECT "
                        + MessageRow.COLUMNS
                        + " FROM messages WHERE id BETWEEN ? AND ? "
                        + "ORDER BY id";

        private final PostgresOptions postgres;
        private final Ranges ranges;
        private transient Connection connection;

        RangeReader(PostgresOptions postgres, Ranges ranges) {
            this.postgres = Objects.requireNonNull(postgres, "postgres");
            this.ranges = Objects.requireNonNull(ranges, "ranges");
        }

        @Override
        public void flatMap(Long range, Collector<MessageChange> out) throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = postgres.connect();
                connection.setAutoCommit(
                        false); // PostgreSQL streams with a cursor only inside a transaction
                connection.setReadOnly(true);
            }
            int i = range.intValue();
            try (PreparedStatement ps = connection.prepareStatement(SQL)) {
                ps.setFetchSize(1000);
                ps.setLong(1, ranges.lower(i));
                ps.setLong(2, ranges.upper(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.collect(
                                new MessageChange(
                                        MessageChange.Kind.SNAPSHOT,
                                        null,
                                        MessageRow.read(rs),
                                        0,
                                        0));
                    }
                }
            } finally {
                connection.commit();
            }
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }
}
