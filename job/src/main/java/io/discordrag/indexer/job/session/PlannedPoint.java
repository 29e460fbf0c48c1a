package io.discordrag.indexer.job.session;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One point a conversation should have: a chunk of its messages with the rendered text, the
 * deterministic point id ({@link PointIds#forChunk}) and the fingerprint of what is embedded.
 *
 * @param chunk index of the chunk within its conversation (0 for the first)
 */
public record PlannedPoint(
        String pointId,
        int chunk,
        long conversationFirstMessageId,
        List<SessionMessage> messages,
        String text,
        String fingerprint) {

    public PlannedPoint {
        messages = List.copyOf(messages);
    }

    public long[] messageIds() {
        return messages.stream().mapToLong(SessionMessage::id).toArray();
    }

    /** The distinct authors, in order of their first message. */
    public long[] authorIds() {
        Set<Long> authors = new LinkedHashSet<>();
        for (SessionMessage m : messages) {
            authors.add(m.authorId());
        }
        return authors.stream().mapToLong(Long::longValue).toArray();
    }

    public Instant startTime() {
        return messages.get(0).timestamp();
    }

    public Instant endTime() {
        return messages.get(messages.size() - 1).timestamp();
    }

    /** What a later plan sees of this point once it is written. */
    public WrittenPoint written() {
        return new WrittenPoint(
                startTime().toEpochMilli(),
                endTime().toEpochMilli(),
                fingerprint,
                conversationFirstMessageId);
    }
}
