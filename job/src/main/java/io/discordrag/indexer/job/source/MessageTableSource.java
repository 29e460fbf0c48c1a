package io.discordrag.indexer.job.source;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.connector.jdbc.split.JdbcNumericBetweenParametersProvider;

/**
 * The backfill's bounded source: the {@code messages} table read once over JDBC, split into primary-key
 * ranges that the source's parallel readers share, each row as a {@link MessageChange.Kind#SNAPSHOT}
 * change — what the streaming job's CDC snapshot delivers, so the rest of the pipeline is the same.
 *
 * <p>Why not Flink CDC's snapshot-only startup: with more than one reader its split assigner waits for
 * a completed checkpoint before it finishes, and BATCH execution has no checkpoints, so the job would
 * never end. A plain bounded JDBC source runs in BATCH, where keyed input is sorted and one channel's
 * state is in memory at a time.
 */
public final class MessageTableSource {

    /** Rows per split, roughly: enough splits for every reader, few enough to keep queries efficient. */
    static final long ROWS_PER_SPLIT = 50_000;

    private MessageTableSource() {}

    public static JdbcSource<MessageChange> create(PostgresOptions postgres) throws SQLException {
        long min;
        long max;
        long rows;
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM messages")) {
            rs.next();
            min = rs.getLong(1);
            max = rs.getLong(2);
            rows = rs.getLong(3);
        }
        int splits = (int) Math.max(1, Math.min(4096, rows / ROWS_PER_SPLIT + 1));
        return JdbcSource.<MessageChange>builder()
                .setDBUrl(postgres.jdbcUrl())
                .setDriverName("org.postgresql.Driver")
                .setUsername(postgres.user())
                .setPassword(postgres.password())
                .setSql("SELECT " + MessageRow.COLUMNS + " FROM messages WHERE id BETWEEN ? AND ?")
                .setJdbcParameterValuesProvider(new JdbcNumericBetweenParametersProvider(min, max).ofBatchNum(splits))
                .setResultSetFetchSize(1000)
                .setAutoCommit(false) // PostgreSQL streams with a cursor only inside a transaction
                .setResultExtractor(rs -> new MessageChange(MessageChange.Kind.SNAPSHOT, null, MessageRow.read(rs), 0, 0))
                .setTypeInformation(TypeInformation.of(MessageChange.class))
                .build();
    }
}
