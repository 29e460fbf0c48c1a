package io.discordrag.indexer.job.source;

import java.time.Instant;

/**
 * One row of {@code messages} as change data capture sees it. {@code qdrantPointId} is the job's
 * own write-back (null until indexed); {@code replyToId} may be null.
 */
public record MessageRow(
        long id,
        long guildId,
        long channelId,
        long authorId,
        String content,
        Instant timestamp,
        Long replyToId,
        boolean deleted,
        String qdrantPointId)
        implements java.io.Serializable {

    /** The columns {@link #read} expects, in order, for a {@code SELECT … FROM messages}. */
    public static final String COLUMNS =
            "id, guild_id, channel_id, author_id, content, message_timestamp, "
                    + "reply_to_id, is_deleted, qdrant_point_id";

    /** The current row of {@code rs}, selected with {@link #COLUMNS}. */
    public static MessageRow read(java.sql.ResultSet rs) throws java.sql.SQLException {
        long reply = rs.getLong(7);
        Long replyTo = rs.wasNull() ? null : reply;
        return new MessageRow(
                rs.getLong(1),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getObject(6, java.time.OffsetDateTime.class).toInstant(),
                replyTo,
                rs.getBoolean(8),
                rs.getString(9));
    }
}
