package io.discordrag.indexer.job.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The small per-channel state of the {@link Sessionizer} (a Flink POJO): the channel's own event
 * clock, the time ranges whose conversations must be planned again, the open (last) conversation,
 * the state horizon and pending timers. Times are epoch milliseconds; 0 for a timer means none is
 * registered.
 */
public class ChannelState {

    /** Dirty ranges kept apart at most; beyond, the two closest merge (a plan reads between). */
    static final int MAX_DIRTY_RANGES = 32;

    public long guildId;
    public long channelId;
    public String channelName;

    /** Latest message time seen in this channel: the channel's event clock. */
    public long clock = Long.MIN_VALUE;

    /**
     * Time ranges changed since the last plan, as {@code [from0, to0, from1, to1, …]} in order and
     * apart by more than twice the gap (closer ones are one range: their conversations may touch).
     */
    public long[] dirty = new long[0];

    /** Whether a change since the last plan edited or removed a message (not only added ones). */
    public boolean revised;

    /**
     * Whether the last plan left the channel's last stretch open (written as it stood, but it may
     * still grow), and that stretch's time range as the plan saw it.
     */
    public boolean open;

    public long openFrom;
    public long openTo;

    /**
     * Earliest commit times, by type, of the changes not yet written (see {@link PendingChanges}).
     */
    public long pendingInsert;

    public long pendingEdit;
    public long pendingDelete;

    /**
     * Messages older than this (a day boundary) are not in state: PostgreSQL serves them. {@link
     * Long#MIN_VALUE} until the first eviction.
     */
    public long horizon = Long.MIN_VALUE;

    /** The earliest day that may hold messages in state ({@link Long#MAX_VALUE} for none yet). */
    public long oldestDay = Long.MAX_VALUE;

    /**
     * The outbox: positions {@code [outboxHead, outboxTail)} hold planned updates not yet sent on
     * (the embedder was busy).
     */
    public long outboxHead;

    public long outboxTail;

    /**
     * Processing time before which no plan runs: snapshot rows of this channel are still coming.
     */
    public long snapshotQuietAt;

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

    boolean isDirty() {
        return dirty.length > 0;
    }

    /** Adds {@code time} to the dirty ranges, merging ranges closer than {@code mergeWithin}. */
    void markDirty(long time, long mergeWithin) {
        long[] d = Arrays.copyOf(dirty, dirty.length + 2);
        d[d.length - 2] = time;
        d[d.length - 1] = time;
        dirty = normalize(d, mergeWithin);
    }

    /** The dirty ranges as {@code [from, to]} pairs. */
    List<long[]> dirtyRanges() {
        List<long[]> out = new ArrayList<>(dirty.length / 2);
        for (int i = 0; i < dirty.length; i += 2) {
            out.add(new long[] {dirty[i], dirty[i + 1]});
        }
        return out;
    }

    void setDirty(long from, long to) {
        dirty = new long[] {from, to};
    }

    void clearDirty() {
        dirty = new long[0];
    }

    static long[] normalize(long[] ranges, long mergeWithin) {
        int n = ranges.length / 2;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(ranges[2 * a], ranges[2 * b]));
        long[] out = new long[ranges.length];
        int k = 0;
        for (int idx : order) {
            long from = ranges[2 * idx];
            long to = ranges[2 * idx + 1];
            if (k > 0 && from - out[k - 1] <= mergeWithin) {
                out[k - 1] = Math.max(out[k - 1], to);
            } else {
                out[k++] = from;
                out[k++] = to;
            }
        }
        out = Arrays.copyOf(out, k);
        while (out.length > 2 * MAX_DIRTY_RANGES) {
            int closest = 0;
            for (int i = 2; i + 2 < out.length; i += 2) {
                if (out[i + 2] - out[i + 1] < out[closest + 2] - out[closest + 1]) {
                    closest = i;
                }
            }
            long[] merged = new long[out.length - 2];
            System.arraycopy(out, 0, merged, 0, closest + 1);
            merged[closest + 1] = out[closest + 3];
            System.arraycopy(out, closest + 4, merged, closest + 2, out.length - closest - 4);
            out = merged;
        }
        return out;
    }
}
