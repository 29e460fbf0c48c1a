package io.discordrag.indexer.job.source;

import java.time.Instant;

/**
 * One row of {@code messages} as change data capture sees it. {@code qdrantPointId} is the job's own
 * write-back (null until indexed); {@code replyToId} may be null.
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
        String qdrantPointId) {}
