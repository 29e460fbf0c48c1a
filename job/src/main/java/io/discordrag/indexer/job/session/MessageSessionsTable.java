package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The job's record of what it wrote, table {@code message_sessions}, read and written in one place.
 * Written by the write-back ({@link #WRITE_SQL}, one statement per {@link ChunkUpdate}: the row of
 * an upserted point, with {@code messages.qdrant_point_id} set on its members and cleared where
 * members left; a delete removes the row and clears the point id). Read by the {@link Sessionizer}
 * for the points written in a time range of one channel, which is how a plan sees points written
 * before a restart, by a backfill, or whose channel history left state.
 *
 * <p>For a re-index into a new collection the stored fingerprints describe the old collection and
 * are not trusted ({@code trustFingerprints} false): every point read reports an empty fingerprint,
 * so it is embedded and written again.
 */
public final class MessageSessionsTable implements AutoCloseable {

    public static final String WRITE_SQL =
            String.join(
                    "\n",
                    "WITH upserted AS (",
                    "  INSERT INTO message_sessions (id, guild_id, channel_id, start_time, end_time, message_ids,",
                    "      message_count, chunk, model, content_fingerprint, indexed_at)",
                    "  SELECT CAST(? AS uuid), ?, ?, ?, ?, ?, ?, ?, ?, ?, now() WHERE ?",
                    "  ON CONFLICT (id) DO UPDATE SET guild_id = EXCLUDED.guild_id, channel_id = EXCLUDED.channel_id,",
                    "      start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,",
                    "      message_ids = EXCLUDED.message_ids, message_count = EXCLUDED.message_count,",
                    "      chunk = EXCLUDED.chunk, model = EXCLUDED.model,",
                    "      content_fingerprint = EXCLUDED.content_fingerprint, indexed_at = EXCLUDED.indexed_at",
                    "), removed AS (",
                    "  DELETE FROM message_sessions WHERE id = CAST(? AS uuid) AND NOT ?",
                    "), cleared AS (",
                    "  UPDATE messages SET qdrant_point_id = NULL",
                    "  WHERE qdrant_point_id = CAST(? AS uuid) AND NOT (id = ANY (?))",
                    ")",
                    "UPDATE messages SET qdrant_point_id = CAST(? AS uuid)",
                    "WHERE id = ANY (?) AND guild_id = ? AND qdrant_point_id IS DISTINCT FROM CAST(? AS uuid)");

    private static final String READ_SQL =
            "SELECT id, start_time, end_time, content_fingerprint, message_ids[1], chunk "
                    + "FROM message_sessions WHERE guild_id = ? AND channel_id = ? "
                    + "AND start_time >= ? AND start_time < ? ORDER BY start_time, chunk";

    private final PostgresOptions postgres;
    private final boolean trustFingerprints;
    private Connection connection;

    public MessageSessionsTable(PostgresOptions postgres, boolean trustFingerprints) {
        this.postgres = Objects.requireNonNull(postgres, "postgres cannot be null");
        this.trustFingerprints = trustFingerprints;
    }

    /**
     * The points of one channel whose first message lies in {@code [fromMillis, toMillis]}, by id.
     * A point's conversation is known from its first chunk: a point of chunk {@code k > 0} belongs
     * to the conversation of the chunk-0 point before it in time (a range the planner reads is
     * whole conversations, so that point is in the result).
     */
    public Map<String, WrittenPoint> startingBetween(
            long guildId, long channelId, long fromMillis, long toMillis) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return query(guildId, channelId, fromMillis, toMillis);
            } catch (SQLException e) {
                close(); // a broken connection (database restarted): reconnect once
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    private Map<String, WrittenPoint> query(
            long guildId, long channelId, long fromMillis, long toMillis) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect();
        }
        Map<String, WrittenPoint> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(READ_SQL)) {
            ps.setLong(1, guildId);
            ps.setLong(2, channelId);
            ps.setObject(3, utc(fromMillis));
            ps.setObject(4, utc(toMillis + 1)); // times are whole ms: exclusive bound
            try (ResultSet rs = ps.executeQuery()) {
                long conversation = 0;
                while (rs.next()) {
                    String fingerprint = rs.getString(4);
                    long firstMessage = rs.getLong(5);
                    if (rs.getInt(6) == 0 || conversation == 0) {
                        conversation = firstMessage;
                    }
                    out.put(
                            rs.getString(1),
                            new WrittenPoint(
                                    millis(rs.getObject(2, OffsetDateTime.class)),
                                    millis(rs.getObject(3, OffsetDateTime.class)),
                                    fingerprint == null || !trustFingerprints ? "" : fingerprint,
                                    conversation));
                }
            }
        }
        return out;
    }

    private static long millis(OffsetDateTime t) {
        return t.toInstant().toEpochMilli();
    }

    /** Binds one update's parameters to a statement prepared from {@link #WRITE_SQL}. */
    public static void bindWrite(PreparedStatement ps, ChunkUpdate u) throws SQLException {
        boolean upsert = u.kind() == ChunkUpdate.Kind.UPSERT;
        Array members =
                ps.getConnection()
                        .createArrayOf(
                                "bigint",
                                Arrays.stream(u.messageIds()).boxed().toArray(Long[]::new));
        int i = 1;
        ps.setString(i++, u.pointId());
        ps.setLong(i++, u.guildId());
        ps.setLong(i++, u.channelId());
        if (upsert) {
            ps.setTimestamp(i++, Timestamp.from(u.startTime()));
            ps.setTimestamp(i++, Timestamp.from(u.endTime()));
        } else {
            ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        ps.setArray(i++, members);
        ps.setInt(i++, u.messageIds().length);
        ps.setInt(i++, u.chunk());
        ps.setString(i++, upsert ? u.model() : "");
        ps.setString(i++, u.fingerprint());
        ps.setBoolean(i++, upsert);
        ps.setString(i++, u.pointId());
        ps.setBoolean(i++, upsert);
        ps.setString(i++, u.pointId());
        ps.setArray(i++, members);
        ps.setString(i++, u.pointId());
        ps.setArray(i++, members);
        ps.setLong(i++, u.guildId());
        ps.setString(i, u.pointId());
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
            connection = null;
        }
    }

    private static OffsetDateTime utc(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
