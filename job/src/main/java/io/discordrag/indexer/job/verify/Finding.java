package io.discordrag.indexer.job.verify;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One disagreement between Postgres and the Qdrant collection that {@link IndexVerifier} found,
 * with the ids an operator needs to act on it. {@code pointId} is null where no point is involved.
 */
public record Finding(
        Kind kind,
        long guildId,
        long channelId,
        String pointId,
        List<Long> messageIds,
        String detail) {

    /** The kinds of inconsistency {@code verify} detects. */
    public enum Kind {
        /**
         * Live messages of a session that should be indexed and are in no point (or not in theirs).
         */
        UNCOVERED,
        /** A point none of whose messages is live any more: it should have been deleted. */
        ORPHAN,
        /**
         * A point whose message ids, content, channel or model disagree with what Postgres holds
         * now.
         */
        STALE,
        /** A point whose payload names another guild than its messages belong to. */
        WRONG_GUILD,
        /**
         * {@code messages.qdrant_point_id} does not name the point that covers (or should cover)
         * the message.
         */
        WRITE_BACK
    }

    public Finding {
        messageIds = List.copyOf(messageIds);
    }

    @Override
    public String toString() {
        StringBuilder sb =
                new StringBuilder(kind.name())
                        .append(" guild ")
                        .append(Long.toUnsignedString(guildId))
                        .append(" channel ")
                        .append(Long.toUnsignedString(channelId));
        if (pointId != null) {
            sb.append(" point ").append(pointId);
        }
        if (!messageIds.isEmpty()) {
            sb.append(" messages ")
                    .append(
                            messageIds.stream()
                                    .map(Long::toUnsignedString)
                                    .collect(Collectors.joining(",", "[", "]")));
        }
        return sb.append(": ").append(detail).toString();
    }
}
