package io.discordrag.indexer.job.commit;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Holds every record until the checkpoint that covers it has completed, then passes it on in
 * arrival order. Placed in front of sinks that write at once (Qdrant, the Postgres write-back), it
 * makes them see only what a completed checkpoint stands behind: after a failure the job resumes
 * from that checkpoint and recomputes what followed, so nothing that the restored state does not
 * know about — a point for a session a replay never forms again — can have reached the index. This
 * is the streaming job's exactly-once effect; the price is that writes wait for the next checkpoint
 * (lag ≈ half the checkpoint interval plus the checkpoint's duration).
 *
 * <p>Pending records are kept in union list state: after a restore every record of the completed
 * checkpoint is released again (sinks are idempotent), each by the subtask that owns its key now,
 * so the order per key survives rescaling. At end of input everything pending is released. Metrics:
 * {@code recordsHeld} (gauge) and {@code recordsReleased}.
 */
public class ReleaseAfterCheckpoint<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>,
                org.apache.flink.streaming.api.operators.BoundedOneInput {

    private static final long serialVersionUID = 1L;

    public static final String RECORDS_HELD = "recordsHeld";
    public static final String RECORDS_RELEASED = "recordsReleased";

    private final TypeInformation<T> type;
    private final KeySelector<T, ?> key;

    /** Batches waiting for their checkpoint, oldest first. */
    private transient Deque<Batch<T>> waiting;

    private transient List<T> current;
    private transient ListState<T> state;
    private transient List<T> restored;
    private transient Counter released;
    private transient volatile long heldCount;

    private record Batch<T>(long checkpointId, List<T> records) {}

    /**
     * @param key the key the upstream keyed operator partitions by: on restore, each record is
     *     released by the subtask that owns its key
     */
    public ReleaseAfterCheckpoint(TypeInformation<T> type, KeySelector<T, ?> key) {
        this.type = Objects.requireNonNull(type, "type");
        this.key = Objects.requireNonNull(key, "key");
        setChainingStrategy(org.apache.flink.streaming.api.operators.ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        TypeSerializer<T> serializer =
                type.createSerializer(getExecutionConfig().getSerializerConfig());
        state =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("held", serializer));
        waiting = new ArrayDeque<>();
        current = new ArrayList<>();
        restored = new ArrayList<>();
        if (context.isRestored()) {
            int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
            int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            for (T record : state.get()) {
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                key.getKey(record), maxParallelism, parallelism)
                        == index) {
                    restored.add(record);
                }
            }
            heldCount = restored.size();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        released = getMetricGroup().counter(RECORDS_RELEASED);
        // read by the metrics thread: a counter kept by the task thread, not the collections
        // themselves
        getMetricGroup().gauge(RECORDS_HELD, () -> heldCount);
        if (!restored.isEmpty()) {
            // covered by the checkpoint we restored from, which completed: release before anything
            // new
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime(),
                            t -> releaseRestored());
        }
    }

    /** Records waiting now (the {@code recordsHeld} gauge). */
    long held() {
        return heldCount;
    }

    private void releaseRestored() {
        List<T> records = restored;
        restored = new ArrayList<>();
        emit(records);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        if (!restored.isEmpty()) {
            releaseRestored();
        }
        current.add(element.getValue());
        heldCount++;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (!current.isEmpty()) {
            waiting.addLast(new Batch<>(context.getCheckpointId(), current));
            current = new ArrayList<>();
        }
        List<T> all = new ArrayList<>(restored);
        for (Batch<T> b : waiting) {
            all.addAll(b.records());
        }
        state.update(all);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (!restored.isEmpty()) {
            releaseRestored();
        }
        while (!waiting.isEmpty() && waiting.peekFirst().checkpointId() <= checkpointId) {
            emit(waiting.pollFirst().records());
        }
    }

    @Override
    public void endInput() {
        // end of input: no later checkpoint will come for these
        if (!restored.isEmpty()) {
            releaseRestored();
        }
        while (!waiting.isEmpty()) {
            emit(waiting.pollFirst().records());
        }
        emit(current);
        current = new ArrayList<>();
    }

    private void emit(List<T> records) {
        StreamRecord<T> reuse = new StreamRecord<>(null);
        for (T r : records) {
            output.collect(reuse.replace(r));
        }
        released.inc(records.size());
        heldCount -= records.size();
    }
}
