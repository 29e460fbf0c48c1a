package io.discordrag.indexer.job.session;

/**
 * The channel a plan is for: the guild and channel ids that go into point ids and payloads, and the
 * channel name that goes into the text.
 */
public record ChannelRef(long guildId, long channelId, String channelName) {}
