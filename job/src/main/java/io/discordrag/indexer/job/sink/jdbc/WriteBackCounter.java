package io.discordrag.indexer.job.sink.jdbc;

import io.discordrag.indexer.job.session.ChunkUpdate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Counts what goes to the Postgres write-back (chained in front of the JDBC sink, which has no
 * custom metrics): {@code writeBackSessions} upserted, {@code writeBackDeletes}, and {@code
 * writeBackMessageRows} — message rows whose {@code qdrant_point_id} the write-back sets.
 */
public class WriteBackCounter extends RichMapFunction<ChunkUpdate, ChunkUpdate> {

    private static final long serialVersionUID = 1L;
    public static final String SESSIONS = "writeBackSessions";
    public static final String DELETES = "writeBackDeletes";
    public static final String MESSAGE_ROWS = "writeBackMessageRows";

    /**
     * Accumulators (read by the backfill's progress log): point upserts and deletes released to
     * both sinks (embedded, and in streaming past their checkpoint), counted where they reach the
     * write-back.
     */
    public static final String WRITE_BACK_POINTS_UPSERTED = "writeBackPointsUpserted";

    public static final String WRITE_BACK_POINTS_DELETED = "writeBackPointsDeleted";

    /**
     * Accumulator: messages in the points upserted (the backfill's time-left estimate once reading
     * is done).
     */
    public static final String WRITE_BACK_MESSAGES_INDEXED = "writeBackMessagesIndexed";

    private transient Counter sessions;
    private transient Counter deletes;
    private transient Counter rows;
    private transient org.apache.flink.api.common.accumulators.LongCounter upsertedPoints;
    private transient org.apache.flink.api.common.accumulators.LongCounter deletedPoints;
    private transient org.apache.flink.api.common.accumulators.LongCounter indexedMessages;

    @Override
    public void open(OpenContext openContext) {
        sessions = getRuntimeContext().getMetricGroup().counter(SESSIONS);
        deletes = getRuntimeContext().getMetricGroup().counter(DELETES);
        rows = getRuntimeContext().getMetricGroup().counter(MESSAGE_ROWS);
        upsertedPoints = new org.apache.flink.api.common.accumulators.LongCounter();
        deletedPoints = new org.apache.flink.api.common.accumulators.LongCounter();
        getRuntimeContext().addAccumulator(WRITE_BACK_POINTS_UPSERTED, upsertedPoints);
        getRuntimeContext().addAccumulator(WRITE_BACK_POINTS_DELETED, deletedPoints);
        indexedMessages = new org.apache.flink.api.common.accumulators.LongCounter();
        getRuntimeContext().addAccumulator(WRITE_BACK_MESSAGES_INDEXED, indexedMessages);
    }

    @Override
    public ChunkUpdate map(ChunkUpdate u) {
        if (u.kind() == ChunkUpdate.Kind.UPSERT) {
            sessions.inc();
            rows.inc(u.messageIds().length);
            upsertedPoints.add(1);
            indexedMessages.add(u.messageIds().length);
        } else {
            deletes.inc();
            deletedPoints.add(1);
        }
        return u;
    }
}
