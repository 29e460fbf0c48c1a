package io.discordrag.indexer.job.session;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One live message as it enters a session: id (Discord snowflake), author, author display name,
 * time and text. Ordered by (timestamp, id), the order sessions are rendered and chunked in.
 */
public record SessionMessage(
        long id, long authorId, String authorName, Instant timestamp, String content) {

    public static final Comparator<SessionMessage> ORDER =
            Comparator.comparing(SessionMessage::timestamp).thenComparingLong(SessionMessage::id);

    public SessionMessage {
        Objects.requireNonNull(timestamp, "timestamp of message " + id);
        authorName =
                authorName == null || authorName.isBlank()
                        ? "user " + Long.toUnsignedString(authorId)
                        : authorName;
        content = content == null ? "" : content;
    }

    /** The name a message is attributed to: the global (display) name if set, else the username. */
    public static String displayName(String globalName, String username) {
        return globalName != null && !globalName.isBlank() ? globalName : username;
    }
}
