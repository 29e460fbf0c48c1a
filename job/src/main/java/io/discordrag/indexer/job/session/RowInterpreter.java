package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.source.MessageRow;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule for what a live {@code messages} row becomes in a session: skipped (with a reason),
 * or a {@link SessionMessage} with its channel's name, possibly repaired (each repair with a
 * reason). The streaming job ({@link ChangeInterpreter}) and {@code verify} both read rows through
 * this class, so they agree on what the index must contain.
 *
 * <ul>
 *   <li>skipped: {@code emptyContent} (NULL or blank, e.g. attachment only), {@code
 *       timestampOutOfRange} (before Discord's epoch 2015-01-01 or more than an hour in the
 *       future);
 *   <li>repaired: {@code contentTruncated} (over {@link ContentSanitizer#MAX_CHARS}), {@code
 *       unpairedSurrogate} (replaced by U+FFFD), {@code unknownAuthor} (no users row: named "user
 *       &lt;id&gt;"), {@code unknownChannel} (no channels row: named by its id), {@code
 *       channelInOtherGuild} (the channels row names another guild: named by its id, so no guild
 *       sees another's channel name), {@code unknownGuild} (no channel of the guild is known),
 *       {@code unknownMention} (a user or channel mention with no row, or a channel of another
 *       guild: rendered as a placeholder).
 * </ul>
 *
 * Discord markup in the content is rendered ({@link DiscordMarkup}) before the length cut, with the
 * same directory that names authors and channels. Deleted rows are the caller's business: they are
 * never indexed.
 */
public final class RowInterpreter {

    public static final Instant DISCORD_EPOCH = Instant.parse("2015-01-01T00:00:00Z");
    public static final Duration MAX_FUTURE = Duration.ofHours(1);

    public static final String EMPTY_CONTENT = "emptyContent";
    public static final String TIMESTAMP_OUT_OF_RANGE = "timestampOutOfRange";
    public static final String CHANNEL_IN_OTHER_GUILD = "channelInOtherGuild";
    public static final String CONTENT_TRUNCATED = "contentTruncated";
    public static final String UNPAIRED_SURROGATE = "unpairedSurrogate";
    public static final String UNKNOWN_AUTHOR = "unknownAuthor";
    public static final String UNKNOWN_CHANNEL = "unknownChannel";
    public static final String UNKNOWN_GUILD = "unknownGuild";
    public static final String UNKNOWN_MENTION = "unknownMention";

    public static final List<String> SKIP_REASONS = List.of(EMPTY_CONTENT, TIMESTAMP_OUT_OF_RANGE);
    public static final List<String> REPAIR_REASONS =
            List.of(
                    CONTENT_TRUNCATED,
                    UNPAIRED_SURROGATE,
                    UNKNOWN_AUTHOR,
                    UNKNOWN_CHANNEL,
                    CHANNEL_IN_OTHER_GUILD,
                    UNKNOWN_GUILD,
                    UNKNOWN_MENTION);

    /** Why a row was changed on its way into the index, in words for the log. */
    public record Repair(String reason, String detail) {}

    /**
     * The outcome for one row: either {@code skipReason} is set, or {@code message} and {@code
     * channelName} are, with the repairs made (possibly none).
     */
    public record Result(
            SessionMessage message, String channelName, String skipReason, List<Repair> repairs) {
        public boolean skipped() {
            return skipReason != null;
        }
    }

    private final NameDirectory names;

    public RowInterpreter(NameDirectory names) {
        this.names = Objects.requireNonNull(names, "names cannot be null");
    }

    public Result interpret(MessageRow row) throws SQLException {
        String skip = skipReason(row);
        if (skip != null) {
            return new Result(null, null, skip, List.of());
        }
        List<Repair> repairs = new ArrayList<>(2);
        Optional<NameDirectory.ChannelInfo> channel = names.channel(row.channelId());
        String channelName;
        if (channel.isEmpty()) {
            channelName = Long.toUnsignedString(row.channelId());
            repairs.add(new Repair(UNKNOWN_CHANNEL, "indexed with the channel id as its name"));
        } else if (channel.get().guildId() != row.guildId()) {
            channelName = Long.toUnsignedString(row.channelId());
            repairs.add(
                    new Repair(
                            CHANNEL_IN_OTHER_GUILD,
                            "the channels row names guild "
                                    + Long.toUnsignedString(channel.get().guildId())
                                    + "; indexed with the channel id as its name"));
        } else {
            channelName = channel.get().name();
        }
        if (channel.isEmpty() && !names.guildKnown(row.guildId())) {
            repairs.add(new Repair(UNKNOWN_GUILD, "indexed under its own guild id"));
        }
        String content = row.content();
        if (ContentSanitizer.hasUnpairedSurrogate(content)) {
            content = ContentSanitizer.replaceUnpairedSurrogates(content);
            repairs.add(new Repair(UNPAIRED_SURROGATE, "replaced by U+FFFD"));
        }
        DiscordMarkup.Rendered rendered = render(content, row.guildId());
        if (rendered.misses() > 0) {
            repairs.add(
                    new Repair(
                            UNKNOWN_MENTION,
                            rendered.misses()
                                    + " mention(s) of a user or channel with no row (or of another"
                                    + " guild's channel) rendered as a placeholder"));
        }
        content = rendered.text();
        int[] nameSpans = rendered.nameSpans();
        if (content.length() > ContentSanitizer.MAX_CHARS) {
            repairs.add(
                    new Repair(
                            CONTENT_TRUNCATED,
                            content.length() + " characters cut to " + ContentSanitizer.MAX_CHARS));
            content = ContentSanitizer.truncate(content);
            nameSpans = DiscordMarkup.clip(nameSpans, content.length());
        }
        Optional<String> author = names.authorName(row.authorId());
        if (author.isEmpty()) {
            repairs.add(
                    new Repair(
                            UNKNOWN_AUTHOR,
                            "author "
                                    + Long.toUnsignedString(row.authorId())
                                    + " has no users row"));
        }
        SessionMessage message =
                new SessionMessage(
                        row.id(),
                        row.authorId(),
                        author.orElse(null),
                        row.timestamp(),
                        content,
                        row.replyToId() == null ? 0 : row.replyToId(),
                        rendered.mentionedUserIds(),
                        nameSpans);
        return new Result(message, channelName, null, repairs);
    }

    private DiscordMarkup.Rendered render(String content, long guildId) throws SQLException {
        return DiscordMarkup.render(
                content,
                new DiscordMarkup.Names() {
                    @Override
                    public Optional<String> user(long userId) throws SQLException {
                        return names.authorName(userId);
                    }

                    @Override
                    public Optional<String> channel(long channelId) throws SQLException {
                        return names.channel(channelId)
                                .filter(c -> c.guildId() == guildId)
                                .map(NameDirectory.ChannelInfo::name);
                    }
                });
    }

    /** Why a live row cannot be indexed at all, or null. */
    public static String skipReason(MessageRow row) {
        if (row.content() == null || row.content().isBlank()) {
            return EMPTY_CONTENT;
        }
        if (row.timestamp().isBefore(DISCORD_EPOCH)
                || row.timestamp().isAfter(Instant.now().plus(MAX_FUTURE))) {
            return TIMESTAMP_OUT_OF_RANGE;
        }
        return null;
    }
}
