package io.discordrag.indexer.job.search;

import java.util.List;
import java.util.UUID;

/**
 * One conversation session found by a search, with what a RAG agent needs to cite it, and the model
 * that embedded it (after a re-index moved the alias, queries are to be embedded with that model).
 * {@code conversationId} (the first message of the conversation; 0 if the point has none) finds the
 * conversation's other points: filter on {@code conversation_id}.
 */
public record SearchHit(
        UUID pointId,
        float score,
        long guildId,
        long channelId,
        String startTime,
        String endTime,
        List<Long> authorIds,
        List<Long> messageIds,
        String content,
        String model,
        long conversationId) {}
