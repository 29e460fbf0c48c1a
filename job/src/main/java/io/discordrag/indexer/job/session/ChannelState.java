package io.discordrag.indexer.job.session;

/**
 * The small per-channel state of the {@link Sessionizer} (a Flink POJO): the channel's own event
 * clock, the time range whose sessions must be recomputed, the open (last) session's range and
 * pending timers. Times are epoch milliseconds; 0 for a timer means none is registered.
 */
public class ChannelState {
    public long guildId;
    public long channelId;
    public String channelName;

    /** Latest message time seen in this channel: the channel's event clock. */
    public long clock = Long.MIN_VALUE;

    public boolean dirty;
    public long dirtyFrom;
    public long dirtyTo;

    /** Set when a change may affect a closed session, so the next flush must recompute. */
    public boolean needsRecompute;

    /**
     * Whether an edit or removal of a message already held happened since the last flush, and the
     * time range it touched: an already-written open session it touches is rewritten at the next
     * flush.
     */
    public boolean revised;

    public long revisedFrom;
    public long revisedTo;

    /** Whether the channel's last session is known to be open, and its time range. */
    public boolean open;

    public long openFrom;
    public long openTo;

    /** First message id of the open session already counted as opened (0 for none). */
    public long countedOpenSession;

    /**
     * Earliest commit times, by type, of the changes not yet written (see {@link PendingChanges}).
     */
    public long pendingInsert;

    public long pendingEdit;
    public long pendingDelete;

    /**
     * Whether the points the index already holds for this channel ({@link IndexedSessions}) were
     * read.
     */
    public boolean indexLoaded;

    public long flushTimer;
    public long idleTimer;
    public long lastActivity;

    public ChannelState() {}

    PendingChanges pending() {
        return new PendingChanges(pendingInsert, pendingEdit, pendingDelete);
    }

    void addPending(ChannelEvent event) {
        PendingChanges p = pending().with(event);
        pendingInsert = p.insertCommitMillis();
        pendingEdit = p.editCommitMillis();
        pendingDelete = p.deleteCommitMillis();
    }

    void clearPending() {
        pendingInsert = 0;
        pendingEdit = 0;
        pendingDelete = 0;
    }

    void markRevised(long time) {
        if (!revised) {
            revised = true;
            revisedFrom = time;
            revisedTo = time;
        } else {
            revisedFrom = Math.min(revisedFrom, time);
            revisedTo = Math.max(revisedTo, time);
        }
    }

    void markDirty(long time) {
        if (!dirty) {
            dirty = true;
            dirtyFrom = time;
            dirtyTo = time;
        } else {
            dirtyFrom = Math.min(dirtyFrom, time);
            dirtyTo = Math.max(dirtyTo, time);
        }
    }
}
