package io.discordrag.indexer.job.session;

/**
 * A point write or delete the {@link Sessionizer} decided and PostgreSQL may not show yet (the
 * write-back lags the decision by up to two checkpoints): kept in state over {@code
 * message_sessions} until a later checkpoint proves it written back.
 *
 * @param deleted the point was deleted; its range is then what was written before
 * @param epoch the id of the last checkpoint taken before the update was sent on; while it still
 *     waits in the sessionizer's outbox, {@code -1 - position} (see {@link #queued}), never durable
 */
public record PointDecision(
        long startMillis,
        long endMillis,
        String fingerprint,
        long conversationFirstMessageId,
        boolean deleted,
        long epoch) {

    static PointDecision written(PlannedPoint p, long epoch) {
        WrittenPoint w = p.written();
        return new PointDecision(
                w.startMillis(),
                w.endMillis(),
                w.fingerprint(),
                w.conversationFirstMessageId(),
                false,
                epoch);
    }

    static PointDecision deleted(WrittenPoint was, long epoch) {
        return new PointDecision(
                was.startMillis(),
                was.endMillis(),
                was.fingerprint(),
                was.conversationFirstMessageId(),
                true,
                epoch);
    }

    /** The epoch of a decision whose update waits at {@code position} of the outbox. */
    static long queued(long position) {
        return -1 - position;
    }

    PointDecision withEpoch(long newEpoch) {
        return new PointDecision(
                startMillis, endMillis, fingerprint, conversationFirstMessageId, deleted, newEpoch);
    }

    WrittenPoint point() {
        return new WrittenPoint(startMillis, endMillis, fingerprint, conversationFirstMessageId);
    }
}
