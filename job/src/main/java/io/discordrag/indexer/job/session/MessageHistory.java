package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.source.MessageRow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A channel's live messages in a time range, read from {@code messages} (the system of record) and
 * interpreted by the same {@link RowInterpreter} as the change stream, so a message reloaded here
 * is the message the stream delivered: deleted and unindexable rows are left out. This is how the
 * {@link Sessionizer} sees history that left its state (older than {@code
 * session.state-retention}). Reads use the index on {@code (guild_id, channel_id,
 * message_timestamp, id)}.
 */
public final class MessageHistory implements AutoCloseable {

    private static final String SQL =
            "SELECT "
                    + MessageRow.COLUMNS
                    + " FROM messages WHERE guild_id = ? AND channel_id = ? "
                    + "AND message_timestamp >= ? AND message_timestamp < ? AND NOT is_deleted";

    private final PostgresOptions postgres;
    private final NameDirectory names;
    private final RowInterpreter interpreter;
    private Connection connection;

    public MessageHistory(PostgresOptions postgres, Duration nameCacheTtl) {
        this.postgres = Objects.requireNonNull(postgres, "postgres cannot be null");
        this.names = new NameDirectory(postgres, nameCacheTtl);
        this.interpreter = new RowInterpreter(names);
    }

    /** The channel's live, indexable messages with {@code fromMillis <= time <= toMillis}. */
    public List<SessionMessage> between(
            long guildId, long channelId, long fromMillis, long toMillis) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return query(guildId, channelId, fromMillis, toMillis);
            } catch (SQLException e) {
                closeConnection(); // a broken connection (database restarted): reconnect once
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /** Rows fetched per round trip: a range of years is streamed, never buffered whole. */
    static final int FETCH_SIZE = 10_000;

    private List<SessionMessage> query(long guildId, long channelId, long fromMillis, long toMillis)
            throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect();
            // pgjdbc streams a result by the fetch size only inside a transaction
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
        }
        List<SessionMessage> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(SQL)) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setLong(1, guildId);
            ps.setLong(2, channelId);
            ps.setObject(3, utc(fromMillis));
            ps.setObject(4, utc(toMillis + 1)); // times are whole ms: exclusive bound
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RowInterpreter.Result r = interpreter.interpret(MessageRow.read(rs));
                    if (!r.skipped()) {
                        out.add(r.message());
                    }
                }
            }
        }
        // nothing was written: end the read's transaction (after a failure the caller closes it)
        connection.rollback();
        return out;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
        names.close();
    }

    private static OffsetDateTime utc(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
