package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Turns one channel's message changes into session point updates (keyed by guild and channel).
 *
 * <p>Each channel has its own event clock — the latest message time seen in it — so a history
 * import into one channel neither drops nor delays another channel's sessions, and nothing is ever
 * late: a message at any time is put into the channel's message set, and the sessions around it are
 * recomputed from that set ({@link SessionGrouping}, {@link SessionChunker}). Because sessions
 * depend only on the set, arrival order does not matter. A session is emitted once the channel's
 * clock has passed its end by more than the gap, or after the idle timeout in processing time.
 * Recomputing compares the new chunks with the points already written: changed chunks are upserted,
 * unchanged ones skipped (same fingerprint), and points no longer produced (after a merge, a split
 * or a removal) are deleted.
 *
 * <p>State per channel: its live messages, the points written and a {@link ChannelState}. Changes
 * are collected for {@code session.flush-delay} before a recomputation, so a burst costs one.
 */
public class Sessionizer extends KeyedProcessFunction<String, ChannelEvent, ChunkUpdate> {

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
    private static final int HISTOGRAM_WINDOW = 1024;

    private final SessionizerOptions options;
    private final EmbeddingOptions embedding;
    private final PostgresOptions index;
    private final boolean bounded;
    private final boolean rebuild;

    private transient MapState<Long, SessionMessage> messages;
    private transient MapState<String, EmittedChunk> emitted;
    private transient ValueState<ChannelState> channel;
    private transient EmbeddingModelPool.Lease lease;
    private transient ToIntFunction<String> tokenCounter;
    private transient IndexedSessions indexedSessions;
    private transient long gapMillis;

    private transient Counter opened;
    private transient Counter sessionsEmitted;
    private transient Counter merged;
    private transient Counter belowMin;
    private transient Counter upserted;
    private transient Counter deleted;
    private transient Counter unchanged;
    private transient Counter duplicates;
    private transient Histogram chunksPerSession;
    private transient Histogram messagesPerSession;
    private transient Histogram clockLag;

    /**
     * @param index where to read the points already written for a channel it has no memory of
     *     ({@code message_sessions}), or null to assume none
     * @param bounded a bounded (BATCH) run: each channel is recomputed once, when its input ends,
     *     every session closed; no processing-time timers
     * @param rebuild the target collection is new (a re-index): what {@code index} lists is deleted
     *     when no longer produced, but every session is embedded and written again
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
    public void open(OpenContext openContext) {
        messages =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "messages",
                                        Types.LONG,
                                        TypeInformation.of(SessionMessage.class)));
        emitted =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "emitted-points",
                                        Types.STRING,
                                        TypeInformation.of(EmittedChunk.class)));
        channel =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "channel", TypeInformation.of(ChannelState.class)));
        ClassLoader job = getRuntimeContext().getUserCodeClassLoader();
        getRuntimeContext()
                .registerUserCodeClassLoaderReleaseHookIfAbsent(
                        RELEASE_HOOK, EmbeddingModelPool.releaseHook(job));
        lease = EmbeddingModelPool.acquire(embedding, job);
        tokenCounter = lease.model().tokenizer()::countTokens;
        gapMillis = options.gap().toMillis();
        if (index != null) {
            index.requirePassword();
            JdbcDriverRelease.register(getRuntimeContext());
        }
        indexedSessions = index == null ? null : new IndexedSessions(index, !rebuild);

        MetricGroup g = getRuntimeContext().getMetricGroup();
        opened = g.counter(SESSIONS_OPENED);
        sessionsEmitted = g.counter(SESSIONS_EMITTED);
        merged = g.counter(SESSIONS_MERGED);
        belowMin = g.counter(SESSIONS_BELOW_MIN);
        upserted = g.counter(POINT_UPSERTS_PLANNED);
        deleted = g.counter(POINT_DELETES_PLANNED);
        unchanged = g.counter(CHUNKS_UNCHANGED);
        duplicates = g.counter(DUPLICATE_CHANGES);
        chunksPerSession =
                g.histogram(
                        CHUNKS_PER_SESSION, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        messagesPerSession =
                g.histogram(
                        MESSAGES_PER_SESSION, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        clockLag =
                g.histogram(
                        CHANNEL_CLOCK_LAG, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    @Override
    public void close() {
        if (indexedSessions != null) {
            indexedSessions.close();
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
            }
        }
        if (event.kind() == ChannelEvent.Kind.UPSERT || st.channelName == null) {
            st.channelName = event.channelName();
        }
        SessionMessage previous = messages.get(event.messageId());
        if (event.kind() == ChannelEvent.Kind.UPSERT) {
            SessionMessage m = event.message();
            if (m.equals(previous)) {
                duplicates.inc();
            } else {
                long t = m.timestamp().toEpochMilli();
                messages.put(m.id(), m);
                st.markDirty(t);
                if (previous != null) {
                    st.markRevised(t);
                    st.markRevised(previous.timestamp().toEpochMilli());
                }
                if (previous != null && !previous.timestamp().equals(m.timestamp())) {
                    st.markDirty(previous.timestamp().toEpochMilli());
                    st.needsRecompute = true;
                }
                if (st.open && t >= st.openFrom - gapMillis && t <= st.openTo + gapMillis) {
                    st.openFrom = Math.min(st.openFrom, t);
                    st.openTo = Math.max(st.openTo, t);
                } else {
                    st.needsRecompute = true;
                }
                st.clock = Math.max(st.clock, t);
                st.addPending(event);
            }
        } else if (previous != null) {
            messages.remove(event.messageId());
            st.markDirty(previous.timestamp().toEpochMilli());
            st.markRevised(previous.timestamp().toEpochMilli());
            st.needsRecompute = true;
            st.addPending(event);
        } else {
            duplicates.inc(); // removal of a message this channel does not hold: nothing to do
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
        // Snapshot rows arrive in table order, not time order (a backfill's write-back reorders the
        // heap):
        // flushing mid-snapshot would index sessions whose messages are still coming, only to redo
        // them.
        // They wait for the idle timeout instead, which sees each channel's rows complete.
        if (st.dirty && st.flushTimer == 0 && event.change() != MessageChange.Kind.SNAPSHOT) {
            st.flushTimer = now + options.flushDelay().toMillis();
            ctx.timerService().registerProcessingTimeTimer(st.flushTimer);
        }
        if (st.idleTimer == 0) {
            st.idleTimer = now + options.idleTimeout().toMillis();
            ctx.timerService().registerProcessingTimeTimer(st.idleTimer);
        }
        channel.update(st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChunkUpdate> out)
            throws Exception {
        ChannelState st = channel.value();
        if (st == null) {
            return;
        }
        if (bounded) {
            flush(st, true, out);
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
        if (timestamp == st.flushTimer) {
            st.flushTimer = 0;
        }
        flush(st, force, out);
        channel.update(st);
    }

    private void flush(ChannelState st, boolean force, Collector<ChunkUpdate> out)
            throws Exception {
        if (!st.dirty) {
            return;
        }
        if (!force
                && !st.needsRecompute
                && !st.revised
                && st.open
                && st.clock - st.openTo <= gapMillis) {
            return; // every change since the last flush was an append to the still-open last
            // session
        }
        List<SessionMessage> all = new ArrayList<>();
        for (SessionMessage m : messages.values()) {
            all.add(m);
        }
        List<List<SessionMessage>> sessions = SessionGrouping.sessions(all, options.gap());
        long lo = st.dirtyFrom - gapMillis;
        long hi = st.dirtyTo + gapMillis;
        List<SessionMessage> last = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1);
        if (!st.indexLoaded && indexedSessions != null) {
            for (Map.Entry<String, EmittedChunk> e :
                    indexedSessions.load(st.guildId, st.channelId).entrySet()) {
                if (!emitted.contains(e.getKey())) {
                    emitted.put(e.getKey(), e.getValue());
                }
            }
        }
        st.indexLoaded = true;
        Map<String, EmittedChunk> before = new LinkedHashMap<>();
        for (Map.Entry<String, EmittedChunk> e : emitted.entries()) {
            before.put(e.getKey(), e.getValue());
        }
        boolean lastOpen =
                !force
                        && last != null
                        && st.clock - endOf(last) <= gapMillis
                        && !revisesWrittenSession(st, last, before.values());
        Map<String, ChunkUpdate> desired = new LinkedHashMap<>();
        Map<String, EmittedChunk> desiredState = new LinkedHashMap<>();
        List<long[]> closedRanges = new ArrayList<>();
        closedRanges.add(new long[] {lo, hi});
        Set<Long> knownSessions = new HashSet<>();
        for (EmittedChunk e : before.values()) {
            knownSessions.add(e.sessionFirstMessageId());
        }
        for (List<SessionMessage> s : sessions) {
            long start = startOf(s);
            long end = endOf(s);
            if (end < lo || start > hi) {
                continue;
            }
            long firstId = s.get(0).id();
            if (!knownSessions.contains(firstId) && firstId != st.countedOpenSession) {
                opened.inc();
            }
            if (s == last && lastOpen) {
                st.countedOpenSession = firstId;
                continue;
            }
            closedRanges.add(new long[] {start, end});
            if (s.size() < options.minMessages()) {
                belowMin.inc();
                continue;
            }
            Set<Long> oldSessions = new HashSet<>();
            for (EmittedChunk e : before.values()) {
                if (e.overlaps(start, end)) {
                    oldSessions.add(e.sessionFirstMessageId());
                }
            }
            if (oldSessions.size() > 1) {
                merged.inc(oldSessions.size() - 1);
            }
            List<List<SessionMessage>> chunks =
                    SessionChunker.chunks(st.channelName, s, tokenCounter, options.maxTokens());
            boolean changed = false;
            for (int i = 0; i < chunks.size(); i++) {
                ChunkUpdate u = upsert(st, chunks.get(i), i);
                desired.put(u.pointId(), u);
                EmittedChunk state =
                        new EmittedChunk(
                                u.startTime().toEpochMilli(),
                                u.endTime().toEpochMilli(),
                                u.fingerprint(),
                                firstId);
                desiredState.put(u.pointId(), state);
                EmittedChunk old = before.get(u.pointId());
                changed |= old == null || !old.fingerprint().equals(u.fingerprint());
            }
            if (changed) {
                sessionsEmitted.inc();
                chunksPerSession.update(chunks.size());
                messagesPerSession.update(s.size());
            }
        }

        for (Map.Entry<String, EmittedChunk> e : before.entrySet()) {
            EmittedChunk old = e.getValue();
            boolean inClosedRange = closedRanges.stream().anyMatch(r -> old.overlaps(r[0], r[1]));
            boolean inOpenSession = lastOpen && old.overlaps(startOf(last), endOf(last));
            if (inClosedRange && !inOpenSession && !desired.containsKey(e.getKey())) {
                out.collect(ChunkUpdate.delete(e.getKey(), st.guildId, st.channelId, st.pending()));
                emitted.remove(e.getKey());
                deleted.inc();
            }
        }
        for (Map.Entry<String, ChunkUpdate> e : desired.entrySet()) {
            EmittedChunk old = before.get(e.getKey());
            if (old != null && old.fingerprint().equals(e.getValue().fingerprint())) {
                unchanged.inc();
                if (!old.equals(desiredState.get(e.getKey()))) {
                    emitted.put(e.getKey(), desiredState.get(e.getKey()));
                }
                continue;
            }
            out.collect(e.getValue());
            emitted.put(e.getKey(), desiredState.get(e.getKey()));
            upserted.inc();
        }

        if (lastOpen) {
            st.dirty = true;
            st.dirtyFrom = startOf(last);
            st.dirtyTo = endOf(last);
            st.open = true;
            st.openFrom = st.dirtyFrom;
            st.openTo = st.dirtyTo;
        } else {
            st.dirty = false;
            st.open = false;
            st.clearPending();
        }
        st.needsRecompute = false;
        st.revised = false;
    }

    /**
     * Whether an edit or removal since the last flush touched the open last session after (part of)
     * it was already written: then the index shows outdated text, so the session is rewritten now
     * rather than when it closes. Plain appends to a written open session still wait for it to
     * close, so a lively channel is not re-embedded once per message.
     */
    private boolean revisesWrittenSession(
            ChannelState st, List<SessionMessage> last, Iterable<EmittedChunk> written) {
        if (!st.revised) {
            return false;
        }
        long start = startOf(last) - gapMillis;
        long end = endOf(last) + gapMillis;
        if (st.revisedTo < start || st.revisedFrom > end) {
            return false;
        }
        for (EmittedChunk e : written) {
            if (e.overlaps(start, end)) {
                return true;
            }
        }
        return false;
    }

    private ChunkUpdate upsert(ChannelState st, List<SessionMessage> chunk, int index) {
        String text = SessionTextRenderer.render(st.channelName, chunk);
        long[] ids = chunk.stream().mapToLong(SessionMessage::id).toArray();
        Set<Long> authors = new LinkedHashSet<>();
        for (SessionMessage m : chunk) {
            authors.add(m.authorId());
        }
        Instant start = chunk.get(0).timestamp();
        Instant end = chunk.get(chunk.size() - 1).timestamp();
        String model = embedding.model().id();
        String pointId = PointIds.forChunk(st.guildId, st.channelId, ids[0]).toString();
        return new ChunkUpdate(
                ChunkUpdate.Kind.UPSERT,
                pointId,
                st.guildId,
                st.channelId,
                index,
                ids,
                authors.stream().mapToLong(Long::longValue).toArray(),
                start,
                end,
                text,
                fingerprint(model, ids, text),
                model,
                st.pending(),
                null);
    }

    /**
     * Hash of what a point's vector and payload are made of; equal fingerprints need no
     * re-embedding.
     */
    public static String fingerprint(String model, long[] messageIds, String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(model.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            for (long id : messageIds) {
                sha.update(Long.toString(id).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) ',');
            }
            sha.update((byte) 0);
            return HexFormat.of()
                    .formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static long startOf(List<SessionMessage> session) {
        return session.get(0).timestamp().toEpochMilli();
    }

    private static long endOf(List<SessionMessage> session) {
        return session.get(session.size() - 1).timestamp().toEpochMilli();
    }
}
