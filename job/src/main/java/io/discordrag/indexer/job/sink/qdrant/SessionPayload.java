package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of one session point (DESIGN: Qdrant collection). {@code guildId} is required; the
 * content is the rendered session text, cut to {@link #MAX_CONTENT_CHARS} characters. Converted to
 * Qdrant values by {@link PayloadSchema#toQdrant}. {@code conversationId} is the first message id
 * of the point's conversation: the points of one conversation (its chunks) share it.
 */
public record SessionPayload(
        long guildId,
        long channelId,
        long[] messageIds,
        long[] authorIds,
        Instant startTime,
        Instant endTime,
        String content,
        String model,
        int chunk,
        long conversationId)
        implements Serializable {

    public static final int MAX_CONTENT_CHARS = 1000;

    public SessionPayload {
        Objects.requireNonNull(messageIds, "messageIds");
        Objects.requireNonNull(authorIds, "authorIds");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(endTime, "endTime");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(model, "model");
        if (content.length() > MAX_CONTENT_CHARS) {
            int end =
                    Character.isHighSurrogate(content.charAt(MAX_CONTENT_CHARS - 1))
                            ? MAX_CONTENT_CHARS - 1
                            : MAX_CONTENT_CHARS;
            content = content.substring(0, end);
        }
    }

    /** The payload of a conversation's first chunk: its conversation id is its first message. */
    public SessionPayload(
            long guildId,
            long channelId,
            long[] messageIds,
            long[] authorIds,
            Instant startTime,
            Instant endTime,
            String content,
            String model,
            int chunk) {
        this(
                guildId,
                channelId,
                messageIds,
                authorIds,
                startTime,
                endTime,
                content,
                model,
                chunk,
                messageIds.length == 0 ? 0 : messageIds[0]);
    }

    public int messageCount() {
        return messageIds.length;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SessionPayload)) {
            return false;
        }
        SessionPayload p = (SessionPayload) o;
        return guildId == p.guildId
                && channelId == p.channelId
                && chunk == p.chunk
                && conversationId == p.conversationId
                && Arrays.equals(messageIds, p.messageIds)
                && Arrays.equals(authorIds, p.authorIds)
                && startTime.equals(p.startTime)
                && endTime.equals(p.endTime)
                && content.equals(p.content)
                && model.equals(p.model);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                guildId,
                channelId,
                Arrays.hashCode(messageIds),
                Arrays.hashCode(authorIds),
                startTime,
                endTime,
                content,
                model,
                chunk,
                conversationId);
    }

    @Override
    public String toString() {
        return "SessionPayload{guild="
                + guildId
                + ", channel="
                + channelId
                + ", messages="
                + Arrays.toString(messageIds)
                + ", chunk="
                + chunk
                + "}";
    }
}
