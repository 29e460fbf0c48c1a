package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Turns one channel's message changes into point updates (keyed by guild and channel): a thin shell
 * over state, timers and metrics around {@link ConversationPlanner}, which holds every rule.
 *
 * <p>Each channel has its own event clock — the latest message time seen in it — so a history
 * import into one channel neither drops nor delays another channel's conversations, and nothing is
 * ever late: a change marks its time range dirty, and the next flush asks the planner to plan the
 * conversations around the dirty ranges, the channel's open last stretch included (its points are
 * written as it stands and rewritten in place as it grows). Changes are collected for {@code
 * session.flush-delay} before a flush, so a burst costs one plan; snapshot rows until none has come
 * for {@code session.snapshot-quiet}. While the TaskManager's embedder has {@link
 * #DEFER_AT_BATCHES} batches queued, flushes of new messages wait (edits and removals do not), and
 * planned updates wait in a keyed outbox and are sent on as it drains: the task never blocks behind
 * the embedder, so checkpoints keep completing.
 *
 * <p>State per channel, all reachable by time ({@link ChannelMessageStore}): the messages of the
 * last {@code session.state-retention} before the channel's clock; older ones are dropped a day at
 * a time and read back from PostgreSQL ({@link MessageHistory}) when a change touches them. The
 * points written are read from {@code message_sessions} ({@link MessageSessionsTable}) with the
 * decisions it may not show yet kept in state over it ({@link WrittenPoints}) until a checkpoint
 * proves them written back. So a flush costs what the change touches, never the channel's history.
 */
public class Sessionizer extends KeyedProcessFunction<String, ChannelEvent, ChunkUpdate>
        implements CheckpointedFunction, CheckpointListener {

    private static final long serialVersionUID = 1L;

    static final String RELEASE_HOOK = "discord-rag-indexer-sessionizer-tokenizer";
    public static final String SESSIONS_OPENED = "sessionsOpened";
    public static final String SESSIONS_EMITTED = "sessionsEmitted";
    public static final String SESSIONS_MERGED = "sessionsMerged";
    public static final String SESSIONS_BELOW_MIN = "sessionsBelowMinMessages";

    /** Point upserts decided (sent on to embedding and the sinks), not yet written. */
    public static final String POINT_UPSERTS_PLANNED = "pointUpsertsPlanned";

    /** Point deletes decided (sent on to the sinks), not yet written. */
    public static final String POINT_DELETES_PLANNED = "pointDeletesPlanned";

    public static final String CHUNKS_UNCHANGED = "chunksUnchanged";
    public static final String DUPLICATE_CHANGES = "duplicateChanges";
    public static final String CHUNKS_PER_SESSION = "chunksPerSession";
    public static final String MESSAGES_PER_SESSION = "messagesPerSession";
    public static final String CHANNEL_CLOCK_LAG = "channelClockLagMs";

    /** Reads of history older than the state retention from PostgreSQL. */
    public static final String HISTORY_RELOADS = "historyReloads";

    /** Messages dropped from state for being older than the state retention. */
    public static final String MESSAGES_EVICTED = "messagesEvicted";

    /** Messages a plan read (its cost), per flush. */
    public static final String MESSAGES_PER_PLAN = "messagesPerPlan";

    /**
     * Flushes of new messages put off by {@code session.flush-delay} because the embedder was busy
     * (a flush with an edit or a removal is never put off).
     */
    public static final String FLUSHES_DEFERRED = "flushesDeferred";

    /**
     * Texts waiting at this TaskManager's embedder, in batches of {@code embedding.batch.max-size},
     * from which a flush waits: enough that the next batches are ready while one is embedded, few
     * enough that a checkpoint barrier behind them is not held up and that the changes of a busy
     * channel gather into one plan.
     */
    static final int DEFER_AT_BATCHES = 4;

    private static final int HISTOGRAM_WINDOW = 1024;

    private static final Duration NAME_CACHE_TTL = Duration.ofMinutes(10);

    private final SessionizerOptions options;
    private final EmbeddingOptions embedding;
    private final PostgresOptions index;
    private final boolean bounded;
    private final boolean rebuild;

    private transient ChannelMessageStore store;

    /** A channel's planned updates not yet sent on, by position (ChannelState's outbox range). */
    private transient MapState<Long, ChunkUpdate> outbox;

    private transient WrittenPoints written;
    private transient ValueState<ChannelState> channel;
    private transient EmbeddingModelPool.Lease lease;
    private transient ConversationPlanner planner;
    private transient MessageSessionsTable writtenPoints;
    private transient MessageHistory history;
    private transient long gapMillis;

    /** Texts queued at the embedder now (shared by the TaskManager's embedding subtasks). */
    private transient IntSupplier embedderBacklog;

    private transient int deferAt;

    /** The checkpoint this instance restored from (0: none). */
    private transient long restoredCheckpoint;

    private transient Counter opened;
    private transient Counter sessionsEmitted;
    private transient Counter merged;
    private transient Counter belowMin;
    private transient Counter upserted;
    private transient Counter deleted;
    private transient Counter unchanged;
    private transient Counter duplicates;
    private transient Counter reloads;
    private transient Counter evicted;
    private transient Counter deferred;
    private transient Histogram chunksPerSession;
    private transient Histogram messagesPerSession;
    private transient Histogram messagesPerPlan;
    private transient Histogram clockLag;

    /**
     * @param index where to read what is written ({@code message_sessions}) and history older than
     *     the retention ({@code messages}); null (tests only) keeps every decision and every
     *     message in state
     * @param bounded a bounded (BATCH) run: each channel is planned once, when its input ends,
     *     every conversation closed; no processing-time timers
     * @param rebuild the target collection is new (a re-index): what {@code index} lists is deleted
     *     when no longer produced, but every conversation is embedded and written again
     */
    public Sessionizer(
            SessionizerOptions options,
            EmbeddingOptions embedding,
            PostgresOptions index,
            boolean bounded,
            boolean rebuild) {
        this.options = Objects.requireNonNull(options, "options cannot be null");
        this.embedding = Objects.requireNonNull(embedding, "embedding cannot be null");
        this.index = index;
        this.bounded = bounded;
        this.rebuild = rebuild;
        if (options.maxTokens() > embedding.model().maxTokens()) {
            throw new IllegalArgumentException(
                    "session.max-tokens ("
                            + options.maxTokens()
                            + ") exceeds what model "
                            + embedding.model().id()
                            + " reads ("
                            + embedding.model().maxTokens()
                            + " tokens)");
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        restoredCheckpoint = context.getRestoredCheckpointId().orElse(0L);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        written.checkpointTaken(context.getCheckpointId());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        written.checkpointCompleted(checkpointId);
    }

    @Override
    public void open(OpenContext openContext) {
        store =
                new ChannelMessageStore(
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "channel-messages",
                                                Types.LONG,
                                                TypeInformation.of(SessionMessage.class))),
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "message-minutes",
                                                Types.LONG,
                                                PrimitiveArrayTypeInfo
                                                        .LONG_PRIMITIVE_ARRAY_TYPE_INFO)),
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "message-days",
                                                Types.LONG,
                                                PrimitiveArrayTypeInfo
                                                        .LONG_PRIMITIVE_ARRAY_TYPE_INFO)));
        channel =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "channel-state", TypeInformation.of(ChannelState.class)));
        outbox =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "outbox",
                                        Types.LONG,
                                        TypeInformation.of(ChunkUpdate.class)));
        ClassLoader job = getRuntimeContext().getUserCodeClassLoader();
        getRuntimeContext()
                .registerUserCodeClassLoaderReleaseHookIfAbsent(
                        RELEASE_HOOK, EmbeddingModelPool.releaseHook(job));
        lease = EmbeddingModelPool.acquire(embedding, job);
        planner =
                new ConversationPlanner(
                        options, embedding.model().id(), lease.model().tokenizer()::countTokens);
        gapMillis = options.gap().toMillis();
        if (embedderBacklog == null) {
            embedderBacklog = lease.batcher()::queued;
        }
        deferAt = DEFER_AT_BATCHES * embedding.maxBatchSize();
        if (index != null) {
            index.requirePassword();
            JdbcDriverRelease.register(getRuntimeContext());
            writtenPoints = new MessageSessionsTable(index, !rebuild);
            history = new MessageHistory(index, NAME_CACHE_TTL);
        }
        written =
                new WrittenPoints(
                        getRuntimeContext()
                                .getMapState(
                                        new MapStateDescriptor<>(
                                                "point-decisions",
                                                Types.STRING,
                                                TypeInformation.of(PointDecision.class))),
                        writtenPoints,
                        restoredCheckpoint);

        MetricGroup g = getRuntimeContext().getMetricGroup();
        opened = g.counter(SESSIONS_OPENED);
        sessionsEmitted = g.counter(SESSIONS_EMITTED);
        merged = g.counter(SESSIONS_MERGED);
        belowMin = g.counter(SESSIONS_BELOW_MIN);
        upserted = g.counter(POINT_UPSERTS_PLANNED);
        deleted = g.counter(POINT_DELETES_PLANNED);
        unchanged = g.counter(CHUNKS_UNCHANGED);
        duplicates = g.counter(DUPLICATE_CHANGES);
        reloads = g.counter(HISTORY_RELOADS);
        evicted = g.counter(MESSAGES_EVICTED);
        deferred = g.counter(FLUSHES_DEFERRED);
        chunksPerSession = histogram(g, CHUNKS_PER_SESSION);
        messagesPerSession = histogram(g, MESSAGES_PER_SESSION);
        messagesPerPlan = histogram(g, MESSAGES_PER_PLAN);
        clockLag = histogram(g, CHANNEL_CLOCK_LAG);
    }

    private static Histogram histogram(MetricGroup g, String name) {
        return g.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /** Tests: the embedder's backlog as this operator sees it (set before {@code open}). */
    void embedderBacklog(IntSupplier backlog) {
        this.embedderBacklog = backlog;
    }

    @Override
    public void close() {
        if (writtenPoints != null) {
            writtenPoints.close();
        }
        if (history != null) {
            history.close();
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }

    @Override
    public void processElement(ChannelEvent event, Context ctx, Collector<ChunkUpdate> out)
            throws Exception {
        ChannelState st = channel.value();
        if (st == null) {
            st = new ChannelState();
            st.guildId = event.guildId();
            st.channelId = event.channelId();
            if (bounded) {
                ctx.timerService()
                        .registerEventTimeTimer(Long.MAX_VALUE); // fires when the key's input ends
            } else if (history != null && event.change() != MessageChange.Kind.SNAPSHOT) {
                // A channel first seen through a live change has its history in PostgreSQL, not
                // on its way here (a channel created after the snapshot, or state that was not
                // restored): everything before this message is read from there. The message itself
                // is held (so a repeat of it is seen as one); a removed one is history too.
                st.horizon =
                        event.kind() == ChannelEvent.Kind.REMOVE
                                ? event.messageTimeMillis() + 1
                                : event.messageTimeMillis();
            }
        }
        if (event.kind() == ChannelEvent.Kind.UPSERT || st.channelName == null) {
            st.channelName = event.channelName();
        }
        if (apply(st, event)) {
            st.addPending(event);
            evict(st); // now, not at the next flush: a snapshot of years of history never piles up
        } else {
            duplicates.inc();
        }
        long now = ctx.timerService().currentProcessingTime();
        if (st.clock != Long.MIN_VALUE) {
            clockLag.update(now - st.clock);
        }
        st.lastActivity = now;
        if (bounded) {
            channel.update(st);
            return;
        }
        if (event.change() == MessageChange.Kind.SNAPSHOT) {
            // Snapshot rows arrive in table order, not time order (a backfill's write-back reorders
            // the heap): planning mid-snapshot would embed conversations whose messages are still
            // coming, only to redo them. A channel's rows are planned once none has come for
            // session.snapshot-quiet (a snapshot split is read and emitted as one burst).
            st.snapshotQuietAt = now + options.snapshotQuiet().toMillis();
        }
        if (st.isDirty() && st.flushTimer == 0) {
            st.flushTimer = Math.max(now + options.flushDelay().toMillis(), st.snapshotQuietAt);
            ctx.timerService().registerProcessingTimeTimer(st.flushTimer);
        }
        if (st.idleTimer == 0) {
            st.idleTimer = now + options.idleTimeout().toMillis();
            ctx.timerService().registerProcessingTimeTimer(st.idleTimer);
        }
        channel.update(st);
    }

    /**
     * Applies one change to the channel's state and dirty ranges; false if it changes nothing (a
     * duplicate, or the removal of a message the channel does not hold).
     */
    private boolean apply(ChannelState st, ChannelEvent event) throws Exception {
        SessionMessage previous = store.get(event.messageId());
        long mergeWithin = 2 * gapMillis;
        if (event.kind() == ChannelEvent.Kind.REMOVE) {
            st.revised = true;
            if (previous != null) {
                long t = previous.timestamp().toEpochMilli();
                store.remove(previous);
                st.markDirty(t, mergeWithin);
                return true;
            }
            long t = event.messageTimeMillis();
            if (t != Long.MIN_VALUE && t < st.horizon) { // it may be in a point: plan it again
                st.markDirty(t, mergeWithin);
                return true;
            }
            return false;
        }
        SessionMessage m = event.message();
        if (m.equals(previous)) {
            return false;
        }
        long t = m.timestamp().toEpochMilli();
        st.revised |= previous != null;
        if (t >= st.horizon) {
            store.put(m, previous);
            st.oldestDay = Math.min(st.oldestDay, ChannelMessageStore.dayOf(t));
        } else if (previous != null) {
            store.remove(previous); // moved to before the horizon: PostgreSQL serves it now
        }
        st.markDirty(t, mergeWithin);
        if (previous != null) {
            long before = previous.timestamp().toEpochMilli();
            if (before != t) {
                st.markDirty(before, mergeWithin);
            }
        }
        st.clock = Math.max(st.clock, t);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChunkUpdate> out)
            throws Exception {
        ChannelState st = channel.value();
        if (st == null) {
            return;
        }
        if (bounded) {
            flush(st, true, Long.MIN_VALUE, out);
            channel.update(st);
            return;
        }
        boolean force = false;
        if (timestamp == st.idleTimer) {
            long idleAt = st.lastActivity + options.idleTimeout().toMillis();
            if (timestamp >= idleAt) {
                st.idleTimer = 0;
                force = true;
            } else {
                st.idleTimer = idleAt;
                ctx.timerService().registerProcessingTimeTimer(idleAt);
            }
        }
        boolean plan = force;
        if (timestamp == st.flushTimer) {
            st.flushTimer = 0;
            drain(st, out);
            if (force) {
                // the idle close plans below
            } else if (st.snapshotQuietAt > timestamp) { // snapshot rows still coming
                schedule(st, ctx, st.snapshotQuietAt);
            } else if (!st.revised && embedderBacklog.getAsInt() >= deferAt) {
                // Embedding is the bottleneck: planning now would only queue more behind it.
                // Waiting lets this channel's next messages join the same plan, so a busy
                // TaskManager embeds an open conversation less often instead of falling behind.
                // Edits and removals go ahead: the index must not keep text that is gone.
                deferred.inc();
                schedule(st, ctx, timestamp + options.flushDelay().toMillis());
            } else {
                plan = true;
            }
        }
        if (plan) {
            flush(st, force, timestamp, out);
        }
        if (st.outboxHead < st.outboxTail && st.flushTimer == 0) {
            schedule(st, ctx, timestamp + options.flushDelay().toMillis());
        }
        channel.update(st);
    }

    private static void schedule(ChannelState st, OnTimerContext ctx, long at) {
        st.flushTimer = at;
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    private void flush(ChannelState st, boolean force, long now, Collector<ChunkUpdate> out)
            throws Exception {
        if (!st.isDirty()) {
            return;
        }
        ChannelRef ref = new ChannelRef(st.guildId, st.channelId, st.channelName);
        ConversationPlanner.Plan plan =
                planner.plan(
                        new ConversationPlanner.Request(
                                ref,
                                st.dirtyRanges(),
                                Math.max(st.clock, now),
                                force,
                                st.open ? st.openFrom : Long.MAX_VALUE,
                                st.open ? st.openTo : Long.MIN_VALUE),
                        (from, to) -> messagesBetween(st, from, to),
                        (from, to) -> written.startingBetween(st.guildId, st.channelId, from, to));
        PendingChanges pending = st.pending();
        for (ConversationPlanner.Deleted d : plan.deletes()) {
            written.deleted(d.pointId(), d.was(), st.outboxTail);
            outbox.put(
                    st.outboxTail++,
                    ChunkUpdate.delete(d.pointId(), st.guildId, st.channelId, pending));
            deleted.inc();
        }
        for (PlannedPoint p : plan.upserts()) {
            written.written(p, st.outboxTail);
            outbox.put(
                    st.outboxTail++,
                    ChunkUpdate.upsert(p, st.guildId, st.channelId, embedding, pending));
            upserted.inc();
        }
        drain(st, out);
        unchanged.inc(plan.unchanged());
        opened.inc(plan.opened());
        merged.inc(plan.merged());
        belowMin.inc(plan.belowMinimum());
        messagesPerPlan.update(plan.messagesRead());
        for (ConversationPlanner.Emitted e : plan.emitted()) {
            sessionsEmitted.inc();
            chunksPerSession.update(e.chunks());
            messagesPerSession.update(e.conversation().size());
        }
        Conversation open = plan.open();
        if (open != null) {
            // planned (its points are written), but it may still grow: planned again with the
            // next change, and once more when it closes (for the conversations it emits)
            st.setDirty(open.startMillis(), open.endMillis());
            st.open = true;
            st.openFrom = open.startMillis();
            st.openTo = open.endMillis();
        } else {
            st.clearDirty();
            st.open = false;
        }
        st.clearPending(); // every change so far is in what this plan wrote (or needs no write)
        st.revised = false;
    }

    /**
     * Sends the channel's planned updates on, in order, while the embedder keeps up: at least one
     * per call, then as long as it has less than a batch queued (all at once in a bounded run). A
     * plan of thousands of points (a fresh start on a long channel) thus never blocks this task
     * behind the embedder, so checkpoints keep completing and the first points are written while
     * the rest wait here, in state.
     */
    private void drain(ChannelState st, Collector<ChunkUpdate> out) throws Exception {
        int sent = 0;
        while (st.outboxHead < st.outboxTail) {
            if (!bounded && sent > 0 && embedderBacklog.getAsInt() >= deferAt) {
                return;
            }
            long position = st.outboxHead++;
            ChunkUpdate u = outbox.get(position);
            outbox.remove(position);
            out.collect(u);
            written.sent(u.pointId(), position);
            sent++;
        }
    }

    /**
     * Drops the days that lie wholly before the channel's clock minus the retention, as soon as the
     * clock passes them (dirty ranges there are planned from PostgreSQL). Only with PostgreSQL to
     * read them back, and never in a bounded run (its input is all history).
     */
    private void evict(ChannelState st) throws Exception {
        if (history == null || bounded || st.clock == Long.MIN_VALUE) {
            return;
        }
        long day = ChannelMessageStore.dayOf(st.clock - options.stateRetention().toMillis());
        long newHorizon = day * ChannelMessageStore.DAY;
        if (newHorizon <= st.horizon) {
            return;
        }
        if (st.oldestDay < day) {
            evicted.inc(store.evictDays(st.oldestDay, day));
        }
        st.horizon = newHorizon;
        st.oldestDay = Math.max(st.oldestDay, day);
    }

    /** The channel's live messages in a range: state above the horizon, PostgreSQL below. */
    private List<SessionMessage> messagesBetween(ChannelState st, long from, long to)
            throws Exception {
        List<SessionMessage> out = new ArrayList<>();
        if (from < st.horizon) {
            reloads.inc();
            out.addAll(
                    history.between(st.guildId, st.channelId, from, Math.min(to, st.horizon - 1)));
        }
        if (to >= st.horizon) {
            out.addAll(store.between(Math.max(from, st.horizon), to));
        }
        return out;
    }
}
