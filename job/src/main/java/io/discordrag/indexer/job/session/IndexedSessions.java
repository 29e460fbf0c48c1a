package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the index already holds for a channel, read from {@code message_sessions} (the write-back):
 * point id → time range and content fingerprint. A {@link Sessionizer} without memory of a channel
 * — a fresh streaming start after a backfill, a backfill run again — starts from this, so unchanged
 * sessions are not embedded again and points no longer produced are deleted. For a re-index into a
 * new collection the fingerprints are not trusted ({@code trustFingerprints} false): every session
 * is embedded and written, and the listed points no longer produced are still deleted (a no-op in
 * the new collection) so that {@code message_sessions} ends up describing exactly the new index.
 */
public final class IndexedSessions implements AutoCloseable {

    private static final String SQL =
            "SELECT id, start_time, end_time, content_fingerprint, message_ids "
                    + "FROM message_sessions WHERE guild_id = ? AND channel_id = ?";

    private final PostgresOptions postgres;
    private final boolean trustFingerprints;
    private Connection connection;

    public IndexedSessions(PostgresOptions postgres, boolean trustFingerprints) {
        this.postgres = Objects.requireNonNull(postgres, "postgres cannot be null");
        this.trustFingerprints = trustFingerprints;
    }

    /** The channel's points as the write-back recorded them (empty if none). */
    public Map<String, EmittedChunk> load(long guildId, long channelId) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return query(guildId, channelId);
            } catch (SQLException e) {
                close(); // a broken connection (database restarted): reconnect once
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    private Map<String, EmittedChunk> query(long guildId, long channelId) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = postgres.connect();
        }
        Map<String, EmittedChunk> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(SQL)) {
            ps.setLong(1, guildId);
            ps.setLong(2, channelId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String fingerprint = rs.getString(4);
                    Array ids = rs.getArray(5);
                    Long[] members = (Long[]) ids.getArray();
                    out.put(
                            rs.getString(1),
                            new EmittedChunk(
                                    rs.getObject(2, OffsetDateTime.class)
                                            .toInstant()
                                            .toEpochMilli(),
                                    rs.getObject(3, OffsetDateTime.class)
                                            .toInstant()
                                            .toEpochMilli(),
                                    fingerprint == null || !trustFingerprints ? "" : fingerprint,
                                    members.length == 0 ? 0 : members[0]));
                }
            }
        }
        return out;
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
}
