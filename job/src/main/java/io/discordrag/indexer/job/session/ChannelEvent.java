package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.source.MessageChange;

/**
 * What one change of {@code messages} means for a channel's sessions, after validation and name
 * lookup: a message to put into its channel's sessions (new or edited), or one to take out
 * (deleted, or no longer indexable). Keyed by {@link #channelKey()}, so every message of a channel
 * reaches the same sessionizer.
 *
 * @param message the message with its author's display name; null for {@link Kind#REMOVE}
 * @param channelName the channel's name for the session header (never null)
 * @param change the kind of Postgres change this came from, for metrics
 * @param commitTimeMillis commit time of the change in Postgres (0 for snapshot reads)
 * @param messageTimeMillis the message's time; for {@link Kind#REMOVE} {@link Long#MIN_VALUE} when
 *     the change did not carry it (a history that left state is found by it)
 */
public record ChannelEvent(
        Kind kind,
        long guildId,
        long channelId,
        String channelName,
        long messageId,
        SessionMessage message,
        MessageChange.Kind change,
        long commitTimeMillis,
        long messageTimeMillis) {

    /** Put a message into its sessions, or take it out. */
    public enum Kind {
        UPSERT,
        REMOVE
    }

    public static ChannelEvent upsert(
            long guildId,
            long channelId,
            String channelName,
            SessionMessage message,
            MessageChange.Kind change,
            long commitTimeMillis) {
        return new ChannelEvent(
                Kind.UPSERT,
                guildId,
                channelId,
                channelName,
                message.id(),
                message,
                change,
                commitTimeMillis,
                message.timestamp().toEpochMilli());
    }

    /**
     * @param messageTime the removed message's time if the change carries it, else null
     */
    public static ChannelEvent remove(
            long guildId,
            long channelId,
            String channelName,
            long messageId,
            java.time.Instant messageTime,
            MessageChange.Kind change,
            long commitTimeMillis) {
        return new ChannelEvent(
                Kind.REMOVE,
                guildId,
                channelId,
                channelName,
                messageId,
                null,
                change,
                commitTimeMillis,
                messageTime == null ? Long.MIN_VALUE : messageTime.toEpochMilli());
    }

    /**
     * The sessionizer key: guild and channel (channel ids are global in Discord; the guild keeps
     * tenants apart).
     */
    public String channelKey() {
        return channelKey(guildId, channelId);
    }

    /** The sessionizer key of a channel. */
    public static String channelKey(long guildId, long channelId) {
        return Long.toUnsignedString(guildId) + ":" + Long.toUnsignedString(channelId);
    }
}
