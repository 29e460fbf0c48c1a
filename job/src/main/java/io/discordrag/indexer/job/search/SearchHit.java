package io.discordrag.indexer.job.search;

import java.util.List;
import java.util.UUID;

/** One conversation session found by a search, with what a RAG agent needs to cite it. */
public record SearchHit(UUID pointId, float score, long guildId, long channelId, String startTime, String endTime,
        List<Long> authorIds, List<Long> messageIds, String content) {}
