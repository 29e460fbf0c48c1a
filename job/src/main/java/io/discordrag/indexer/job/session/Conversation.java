package io.discordrag.indexer.job.session;

import java.util.List;

/**
 * One conversation of a channel, as {@link ConversationPlanner} groups them: its live messages in
 * (timestamp, id) order, never empty. It is identified by its first message.
 */
public record Conversation(List<SessionMessage> messages) {

    public Conversation {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation has at least one message");
        }
        messages = List.copyOf(messages);
    }

    public long startMillis() {
        return messages.get(0).timestamp().toEpochMilli();
    }

    public long endMillis() {
        return messages.get(messages.size() - 1).timestamp().toEpochMilli();
    }

    public long firstMessageId() {
        return messages.get(0).id();
    }

    public int size() {
        return messages.size();
    }

    boolean overlaps(long fromMillis, long toMillis) {
        return startMillis() <= toMillis && endMillis() >= fromMillis;
    }
}
