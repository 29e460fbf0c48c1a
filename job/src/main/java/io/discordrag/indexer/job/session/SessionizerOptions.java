package io.discordrag.indexer.job.session;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How a channel's messages become session points. Immutable and serializable.
 *
 * <p>Keys: {@code session.gap} (15 min), {@code session.min-messages} (2), {@code
 * session.max-tokens} (256), {@code session.idle-timeout} (1 min), {@code session.flush-delay} (250
 * ms), {@code session.snapshot-quiet} (2 s), {@code session.state-retention} (7 d), {@code
 * session.grouping} (conversations), {@code session.reply-window} (24 h).
 */
public final class SessionizerOptions implements Serializable {

    private static final long serialVersionUID = 3L;

    public static final Duration DEFAULT_GAP = Duration.ofMinutes(15);
    public static final int DEFAULT_MIN_MESSAGES = 2;
    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(1);
    public static final Duration DEFAULT_FLUSH_DELAY = Duration.ofMillis(250);

    /**
     * Two seconds: the CDC source reads a snapshot split whole and emits it as one burst, so a
     * channel's rows of one split are all in well within this.
     */
    public static final Duration DEFAULT_SNAPSHOT_QUIET = Duration.ofSeconds(2);

    /**
     * A week: edits, deletes and replies in a chat cluster within hours of the message they touch,
     * so a week of history serves nearly every change from state, and a reload from PostgreSQL (one
     * indexed range read) serves the rest. State grows with the messages of the last week, not with
     * a channel's history (sizing: deploy/OPERATIONS.md).
     */
    public static final Duration DEFAULT_STATE_RETENTION = Duration.ofDays(7);

    /** How a stretch of a channel (no silence longer than the gap) becomes conversations. */
    public enum Grouping {
        /** Replies, mentions, speaker turns and shared words separate interleaved conversations. */
        CONVERSATIONS,
        /** The whole stretch is one conversation (round 1's sessions). */
        TIME_GAP
    }

    public static final Grouping DEFAULT_GROUPING = Grouping.CONVERSATIONS;

    /**
     * A day: replies to yesterday's question are common, replies to last week's rare; the window
     * bounds how far a change reaches (an edit re-plans the replies to it within this window).
     */
    public static final Duration DEFAULT_REPLY_WINDOW = Duration.ofHours(24);

    private final Duration gap;
    private final int minMessages;
    private final int maxTokens;
    private final Duration idleTimeout;
    private final Duration flushDelay;
    private final Duration snapshotQuiet;
    private final Duration stateRetention;
    private final Grouping grouping;
    private final Duration replyWindow;

    private SessionizerOptions(Builder b) {
        this.gap = b.gap;
        this.minMessages = b.minMessages;
        this.maxTokens = b.maxTokens;
        this.idleTimeout = b.idleTimeout;
        this.flushDelay = b.flushDelay;
        this.snapshotQuiet = b.snapshotQuiet;
        this.stateRetention = b.stateRetention;
        this.grouping = b.grouping;
        this.replyWindow = b.replyWindow;
        if (stateRetention.compareTo(gap.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException(
                    "session.state-retention ("
                            + stateRetention
                            + ") must be at least twice session.gap ("
                            + gap
                            + ")");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A new session starts where the time between two messages of a channel exceeds this. */
    public Duration gap() {
        return gap;
    }

    /** Sessions with fewer live messages are not indexed (and their point, if any, is deleted). */
    public int minMessages() {
        return minMessages;
    }

    /** Token budget of one chunk's rendered text, counted with the model's tokenizer. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Processing time after a channel's last change when its open session is emitted anyway, so a
     * quiet channel's last conversation does not wait for the next message.
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Processing time changes to a channel are collected before its conversations are planned (and
     * their changed points written); a burst of changes then costs one plan and one embedding per
     * changed point.
     */
    public Duration flushDelay() {
        return flushDelay;
    }

    /**
     * Processing time without a new snapshot row for a channel before its snapshot rows are
     * planned: rows come in table order, not time order, and planning before a channel's rows are
     * in would embed conversations only to embed them again.
     */
    public Duration snapshotQuiet() {
        return snapshotQuiet;
    }

    /**
     * How far behind a channel's clock (its latest message time) its messages stay in state. Older
     * history is read back from PostgreSQL when a change touches it (an edit or delete of an old
     * message, a late insert), which gives the same points; it costs one range read per change.
     */
    public Duration stateRetention() {
        return stateRetention;
    }

    /** How a stretch becomes conversations. */
    public Grouping grouping() {
        return grouping;
    }

    /**
     * How much older than a reply its parent may be for a reply across a silence longer than the
     * gap to quote it and carry its conversation id.
     */
    public Duration replyWindow() {
        return replyWindow;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionizerOptions s
                && gap.equals(s.gap)
                && minMessages == s.minMessages
                && maxTokens == s.maxTokens
                && idleTimeout.equals(s.idleTimeout)
                && flushDelay.equals(s.flushDelay)
                && snapshotQuiet.equals(s.snapshotQuiet)
                && stateRetention.equals(s.stateRetention)
                && grouping == s.grouping
                && replyWindow.equals(s.replyWindow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                gap,
                minMessages,
                maxTokens,
                idleTimeout,
                flushDelay,
                snapshotQuiet,
                stateRetention,
                grouping,
                replyWindow);
    }

    @Override
    public String toString() {
        return "SessionizerOptions{gap="
                + gap
                + ", minMessages="
                + minMessages
                + ", maxTokens="
                + maxTokens
                + ", idleTimeout="
                + idleTimeout
                + ", flushDelay="
                + flushDelay
                + ", snapshotQuiet="
                + snapshotQuiet
                + ", stateRetention="
                + stateRetention
                + ", grouping="
                + grouping
                + ", replyWindow="
                + replyWindow
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private Duration gap = DEFAULT_GAP;
        private int minMessages = DEFAULT_MIN_MESSAGES;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration flushDelay = DEFAULT_FLUSH_DELAY;
        private Duration snapshotQuiet = DEFAULT_SNAPSHOT_QUIET;
        private Duration stateRetention = DEFAULT_STATE_RETENTION;
        private Grouping grouping = DEFAULT_GROUPING;
        private Duration replyWindow = DEFAULT_REPLY_WINDOW;

        private Builder() {}

        public Builder gap(Duration gap) {
            this.gap = positive(gap, "session.gap");
            return this;
        }

        public Builder minMessages(int minMessages) {
            if (minMessages < 1) {
                throw new IllegalArgumentException(
                        "session.min-messages must be at least 1, got " + minMessages);
            }
            this.minMessages = minMessages;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 16) {
                throw new IllegalArgumentException(
                        "session.max-tokens must be at least 16, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "session.idle-timeout");
            return this;
        }

        public Builder flushDelay(Duration flushDelay) {
            this.flushDelay = positive(flushDelay, "session.flush-delay");
            return this;
        }

        public Builder snapshotQuiet(Duration snapshotQuiet) {
            this.snapshotQuiet = positive(snapshotQuiet, "session.snapshot-quiet");
            return this;
        }

        public Builder stateRetention(Duration stateRetention) {
            this.stateRetention = positive(stateRetention, "session.state-retention");
            return this;
        }

        public Builder grouping(Grouping grouping) {
            this.grouping = Objects.requireNonNull(grouping, "session.grouping cannot be null");
            return this;
        }

        public Builder replyWindow(Duration replyWindow) {
            this.replyWindow = positive(replyWindow, "session.reply-window");
            return this;
        }

        public SessionizerOptions build() {
            return new SessionizerOptions(this);
        }

        private static Duration positive(Duration d, String key) {
            Objects.requireNonNull(d, key + " cannot be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, got " + d);
            }
            return d;
        }
    }
}
