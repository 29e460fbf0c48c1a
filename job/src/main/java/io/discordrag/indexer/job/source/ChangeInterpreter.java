package io.discordrag.indexer.job.source;

import io.discordrag.indexer.job.session.ChannelEvent;
import io.discordrag.indexer.job.session.SessionMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each change of {@code messages} means for the sessions: a message to (re)index, a message
 * to take out, or nothing. The job's own write-back (an UPDATE that changes only {@code qdrant_point_id})
 * is ignored, so it never causes re-embedding. Author and channel names come from a cached
 * {@link NameDirectory}.
 *
 * <p>Bad rows never stop the job; each is logged with its message id and counted by reason:
 * <ul>
 *   <li>skipped ({@code rowsSkipped.<reason>}): {@code emptyContent} (NULL or blank, e.g. attachment
 *       only), {@code timestampOutOfRange} (before Discord's epoch 2015-01-01 or more than an hour in the
 *       future);
 *   <li>indexed after repair ({@code rowsRepaired.<reason>}): {@code contentTruncated} (over
 *       {@link ContentSanitizer#MAX_CHARS}), {@code unpairedSurrogate} (replaced by U+FFFD),
 *       {@code unknownAuthor} (no users row: named "user &lt;id&gt;"), {@code unknownChannel} (no channels
 *       row: named by its id), {@code channelInOtherGuild} (the channels row names another guild: named by
 *       its id, so no guild sees another's channel name), {@code unknownGuild} (no channel of the guild is known).
 * </ul>
 * A change that makes an indexed message unindexable (deleted, emptied) takes it out of its session.
 */
public class ChangeInterpreter extends RichFlatMapFunction<MessageChange, ChannelEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChangeInterpreter.class);

    public static final Instant DISCORD_EPOCH = Instant.parse("2015-01-01T00:00:00Z");
    public static final Duration MAX_FUTURE = Duration.ofHours(1);
    public static final Duration DEFAULT_LOOKUP_TTL = Duration.ofMinutes(10);

    public static final String CHANGES_GROUP = "changes";
    public static final String WRITE_BACK_IGNORED = "writeBackIgnored";
    public static final String DELETED_ROWS_SEEN = "deletedRowsSeen";
    public static final String SKIPPED_GROUP = "rowsSkipped";
    public static final String REPAIRED_GROUP = "rowsRepaired";
    public static final String EMPTY_CONTENT = "emptyContent";
    public static final String TIMESTAMP_OUT_OF_RANGE = "timestampOutOfRange";
    public static final String CHANNEL_IN_OTHER_GUILD = "channelInOtherGuild";
    public static final String CONTENT_TRUNCATED = "contentTruncated";
    public static final String UNPAIRED_SURROGATE = "unpairedSurrogate";
    public static final String UNKNOWN_AUTHOR = "unknownAuthor";
    public static final String UNKNOWN_CHANNEL = "unknownChannel";
    public static final String UNKNOWN_GUILD = "unknownGuild";

    private final PostgresOptions postgres;
    private final Duration lookupTtl;

    private transient NameDirectory names;
    private transient Map<MessageChange.Kind, Counter> changes;
    private transient Counter writeBack;
    private transient Counter deletedSeen;
    private transient MetricGroup skipped;
    private transient MetricGroup repaired;
    private transient Map<String, Counter> reasonCounters;

    public ChangeInterpreter(PostgresOptions postgres, Duration lookupTtl) {
        this.postgres = Objects.requireNonNull(postgres, "postgres cannot be null");
        this.lookupTtl = Objects.requireNonNull(lookupTtl, "lookupTtl cannot be null");
    }

    @Override
    public void open(OpenContext openContext) {
        names = new NameDirectory(postgres, lookupTtl);
        MetricGroup g = getRuntimeContext().getMetricGroup();
        MetricGroup changeGroup = g.addGroup(CHANGES_GROUP);
        changes = new HashMap<>();
        for (MessageChange.Kind k : MessageChange.Kind.values()) {
            changes.put(k, changeGroup.counter(k.name().toLowerCase()));
        }
        writeBack = g.counter(WRITE_BACK_IGNORED);
        deletedSeen = g.counter(DELETED_ROWS_SEEN);
        skipped = g.addGroup(SKIPPED_GROUP);
        repaired = g.addGroup(REPAIRED_GROUP);
        reasonCounters = new HashMap<>();
        for (String r : new String[] {EMPTY_CONTENT, TIMESTAMP_OUT_OF_RANGE}) {
            reasonCounters.put(r, skipped.counter(r));
        }
        for (String r : new String[] {CONTENT_TRUNCATED, UNPAIRED_SURROGATE, UNKNOWN_AUTHOR, UNKNOWN_CHANNEL,
                CHANNEL_IN_OTHER_GUILD, UNKNOWN_GUILD}) {
            reasonCounters.put(r, repaired.counter(r));
        }
    }

    @Override
    public void close() {
        if (names != null) {
            names.close();
        }
    }

    @Override
    public void flatMap(MessageChange change, Collector<ChannelEvent> out) throws Exception {
        changes.get(change.kind()).inc();
        MessageRow row = change.current();
        if (change.kind() == MessageChange.Kind.UPDATE && onlyPointIdChanged(change.before(), change.after())) {
            writeBack.inc();
            return;
        }
        boolean removal = change.kind() == MessageChange.Kind.DELETE || row.deleted();
        if (removal) {
            if (change.kind() == MessageChange.Kind.SNAPSHOT || change.kind() == MessageChange.Kind.INSERT) {
                deletedSeen.inc(); // never indexed: nothing to take out
                return;
            }
            out.collect(remove(row, change));
            return;
        }
        String reason = skipReason(row);
        if (reason != null) {
            count(reason, row, "skipped");
            if (change.kind() == MessageChange.Kind.UPDATE) {
                out.collect(remove(row, change)); // an edit made it unindexable: take out the old version
            }
            return;
        }
        Optional<NameDirectory.ChannelInfo> channel = names.channel(row.channelId());
        String channelName;
        if (channel.isEmpty()) {
            channelName = Long.toUnsignedString(row.channelId());
            count(UNKNOWN_CHANNEL, row, "indexed with the channel id as its name");
        } else if (channel.get().guildId() != row.guildId()) {
            // Never show one guild's channel name in another guild's index: name it by its id instead.
            channelName = Long.toUnsignedString(row.channelId());
            count(CHANNEL_IN_OTHER_GUILD, row, "the channels row names guild "
                    + Long.toUnsignedString(channel.get().guildId()) + "; indexed with the channel id as its name");
        } else {
            channelName = channel.get().name();
        }
        if (channel.isEmpty() && !names.guildKnown(row.guildId())) {
            count(UNKNOWN_GUILD, row, "indexed under its own guild id");
        }
        String content = row.content();
        if (ContentSanitizer.hasUnpairedSurrogate(content)) {
            content = ContentSanitizer.replaceUnpairedSurrogates(content);
            count(UNPAIRED_SURROGATE, row, "replaced by U+FFFD");
        }
        if (content.length() > ContentSanitizer.MAX_CHARS) {
            count(CONTENT_TRUNCATED, row, content.length() + " characters cut to " + ContentSanitizer.MAX_CHARS);
            content = ContentSanitizer.truncate(content);
        }
        Optional<String> author = names.authorName(row.authorId());
        if (author.isEmpty()) {
            count(UNKNOWN_AUTHOR, row, "author " + Long.toUnsignedString(row.authorId()) + " has no users row");
        }
        SessionMessage message = new SessionMessage(row.id(), row.authorId(), author.orElse(null), row.timestamp(),
                content);
        out.collect(ChannelEvent.upsert(row.guildId(), row.channelId(), channelName, message, change.kind(),
                change.commitTimeMillis()));
    }

    private static ChannelEvent remove(MessageRow row, MessageChange change) {
        return ChannelEvent.remove(row.guildId(), row.channelId(), Long.toUnsignedString(row.channelId()), row.id(),
                change.kind(), change.commitTimeMillis());
    }

    private static String skipReason(MessageRow row) {
        if (row.content() == null || row.content().isBlank()) {
            return EMPTY_CONTENT;
        }
        if (row.timestamp().isBefore(DISCORD_EPOCH) || row.timestamp().isAfter(Instant.now().plus(MAX_FUTURE))) {
            return TIMESTAMP_OUT_OF_RANGE;
        }
        return null;
    }

    private void count(String reason, MessageRow row, String what) {
        reasonCounters.get(reason).inc();
        LOG.warn("Message {} (guild {}, channel {}): {} — {}", Long.toUnsignedString(row.id()),
                Long.toUnsignedString(row.guildId()), Long.toUnsignedString(row.channelId()), reason, what);
    }

    /** An UPDATE that changes nothing but {@code qdrant_point_id}: the job's own write-back coming back. */
    static boolean onlyPointIdChanged(MessageRow before, MessageRow after) {
        if (before == null || after == null || Objects.equals(before.qdrantPointId(), after.qdrantPointId())) {
            return false;
        }
        return before.id() == after.id() && before.guildId() == after.guildId()
                && before.channelId() == after.channelId() && before.authorId() == after.authorId()
                && Objects.equals(before.content(), after.content())
                && Objects.equals(before.timestamp(), after.timestamp())
                && Objects.equals(before.replyToId(), after.replyToId()) && before.deleted() == after.deleted();
    }
}
