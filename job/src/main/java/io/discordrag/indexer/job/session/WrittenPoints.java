package io.discordrag.indexer.job.session;

import org.apache.flink.api.common.state.MapState;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The points written in a channel, as the planner must see them: {@code message_sessions} (what the
 * write-back has recorded) overlaid with the {@link Sessionizer}'s decisions it may not show yet. A
 * decision's update may wait in the sessionizer's outbox (for the embedder), and the write-back
 * lags its sending by up to two checkpoints (released when the first completes, flushed at the next
 * barrier), so a decision stays in the overlay while it waits and until {@link
 * #CHECKPOINTS_TO_DURABLE} checkpoints have completed after it was sent; PostgreSQL then shows it,
 * or a later decision still in the overlay. Without a table (tests only) every decision stays.
 *
 * <p>The overlay is keyed state of the current channel; the checkpoint bookkeeping belongs to the
 * operator instance.
 */
final class WrittenPoints {

    /**
     * Completed checkpoints after a decision that prove it written back: it is released when the
     * first completes and flushed to PostgreSQL before the second; one more covers a missed
     * notification.
     */
    static final int CHECKPOINTS_TO_DURABLE = 3;

    private final MapState<String, PointDecision> decisions;
    private final MessageSessionsTable table;

    /** The id of the last checkpoint taken (or restored): decisions after it carry it. */
    private long lastCheckpoint;

    /** Checkpoints completed since this instance started, the latest few. */
    private final NavigableSet<Long> completed = new TreeSet<>();

    /**
     * @param table {@code message_sessions}, or null to keep every decision (tests only)
     * @param restoredCheckpoint the checkpoint this instance restored from (0: none)
     */
    WrittenPoints(
            MapState<String, PointDecision> decisions,
            MessageSessionsTable table,
            long restoredCheckpoint) {
        this.decisions = decisions;
        this.table = table;
        this.lastCheckpoint = restoredCheckpoint;
    }

    void checkpointTaken(long checkpointId) {
        lastCheckpoint = checkpointId;
    }

    void checkpointCompleted(long checkpointId) {
        completed.add(checkpointId);
        while (completed.size() > 2 * CHECKPOINTS_TO_DURABLE) {
            completed.pollFirst();
        }
    }

    /**
     * The current channel's point {@code p} is to be written; its update waits at {@code position}
     * of the outbox until {@link #sent}.
     */
    void written(PlannedPoint p, long position) throws Exception {
        decisions.put(p.pointId(), PointDecision.written(p, PointDecision.queued(position)));
    }

    /**
     * The current channel's point {@code pointId}, last written as {@code was}, is to go; the
     * update waits at {@code position} of the outbox until {@link #sent}.
     */
    void deleted(String pointId, WrittenPoint was, long position) throws Exception {
        decisions.put(pointId, PointDecision.deleted(was, PointDecision.queued(position)));
    }

    /**
     * The update of {@code pointId} at {@code position} of the outbox was sent on: from the next
     * checkpoint on, the write-back catches up with it. A later decision for the point (still
     * waiting) keeps its own place.
     */
    void sent(String pointId, long position) throws Exception {
        PointDecision d = decisions.get(pointId);
        if (d != null && d.epoch() == PointDecision.queued(position)) {
            decisions.put(pointId, d.withEpoch(lastCheckpoint));
        }
    }

    /**
     * The current channel's points starting in {@code [from, to]}; decisions proven written back
     * leave the overlay on the way.
     */
    Map<String, WrittenPoint> startingBetween(long guildId, long channelId, long from, long to)
            throws Exception {
        Map<String, WrittenPoint> out =
                table == null
                        ? new LinkedHashMap<>()
                        : table.startingBetween(guildId, channelId, from, to);
        Iterator<Map.Entry<String, PointDecision>> it = decisions.iterator();
        while (it.hasNext()) {
            Map.Entry<String, PointDecision> e = it.next();
            PointDecision d = e.getValue();
            if (table != null && durable(d.epoch())) {
                it.remove();
                continue;
            }
            boolean inRange = d.startMillis() >= from && d.startMillis() <= to;
            if (d.deleted() || !inRange) {
                out.remove(e.getKey());
            } else {
                out.put(e.getKey(), d.point());
            }
        }
        return out;
    }

    /** Whether a decision sent on after checkpoint {@code epoch} is surely in PostgreSQL. */
    private boolean durable(long epoch) {
        return epoch >= 0 && completed.tailSet(epoch, false).size() >= CHECKPOINTS_TO_DURABLE;
    }
}
