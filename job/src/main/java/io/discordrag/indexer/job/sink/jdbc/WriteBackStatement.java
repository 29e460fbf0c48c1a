package io.discordrag.indexer.job.sink.jdbc;

import io.discordrag.indexer.job.session.ChunkUpdate;

import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Arrays;

/**
 * The Postgres write-back of one {@link ChunkUpdate}, as a single statement so that the updates of
 * one point apply in order: an upsert writes its {@code message_sessions} row (id = point id) and
 * sets {@code messages.qdrant_point_id} on every member; members that left the point are cleared; a
 * delete removes the row and clears the point id wherever it is still set. Idempotent: replaying it
 * changes nothing, and rows that already hold the right point id are not touched (so no needless
 * CDC events).
 */
public final class WriteBackStatement implements JdbcStatementBuilder<ChunkUpdate> {

    private static final long serialVersionUID = 1L;

    public static final String SQL =
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

    @Override
    public void accept(PreparedStatement ps, ChunkUpdate u) throws SQLException {
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
}
