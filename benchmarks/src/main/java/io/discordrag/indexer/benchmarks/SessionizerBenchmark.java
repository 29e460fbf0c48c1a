package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.session.ChannelEvent;
import io.discordrag.indexer.job.session.ChannelRef;
import io.discordrag.indexer.job.session.ChunkUpdate;
import io.discordrag.indexer.job.session.Conversation;
import io.discordrag.indexer.job.session.ConversationPlanner;
import io.discordrag.indexer.job.session.PlannedPoint;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.Sessionizer;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Per-change cost of the sessionizer against the size of a channel's history: one channel holding H
 * messages (conversations of 20 over the same three years at every H, so an "old" message is
 * outside the state retention at every size) is loaded as a fresh start after a backfill would see
 * it ({@code messages} and {@code message_sessions} in PostgreSQL, every row streamed in as a
 * snapshot read, then the idle flush). Then each kind of change is applied (to PostgreSQL first, as
 * the bot would, then as the change event) and timed with the flush it causes: thread CPU time of
 * the operator thread and wall time (which includes PostgreSQL round trips), median of {@link
 * #REPETITIONS}. The operator runs in Flink's keyed test harness with the heap or the RocksDB state
 * backend and the default options; the checkpoint size is the harness's snapshot (RocksDB:
 * incremental, as deployed, so it counts the SST files, deletes included until RocksDB compacts
 * them; a snapshot is taken after every round of changes, as periodic checkpoints would).
 *
 * <p>Arguments: comma-separated history sizes, comma-separated backends ({@code heap}, {@code
 * rocksdb}).
 */
public final class SessionizerBenchmark {

    static final long GUILD = 1;
    static final long CHANNEL = 10;
    static final String CHANNEL_NAME = "general";
    static final int CONVERSATION = 20;
    static final Duration SPAN = Duration.ofDays(3 * 365);
    static final Instant T0 = Instant.parse("2023-01-01T00:00:00Z");
    static final int REPETITIONS = 15;
    static final String[] WORDS = {
        "deploy",
        "the",
        "build",
        "is",
        "red",
        "again",
        "who",
        "broke",
        "main",
        "tests",
        "pass",
        "locally",
        "flaky",
        "network",
        "retry",
        "lunch",
        "tomorrow",
        "meeting",
        "ok",
        "thanks",
        "release",
        "notes",
        "ship",
        "it",
        "friday",
        "rollback",
        "staging",
        "prod",
        "latency"
    };
    static final String[] NAMES = {"Ada", "bob", "Cy", "Di"};

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SessionizerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int[] histories =
                Arrays.stream(args[0].split(","))
                        .mapToInt(s -> Integer.parseInt(s.trim()))
                        .toArray();
        String[] backends = args[1].split(",");
        EmbeddingOptions embedding =
                EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2).build();
        SessionizerOptions options = SessionizerOptions.builder().build();
        System.out.printf(
                Locale.ROOT,
                "sessionizer benchmark: %d cores, max heap %d MB, %s, histories %s, backends %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                options,
                Arrays.toString(histories),
                Arrays.toString(backends));
        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        try (EmbeddingModelPool.Lease model = EmbeddingModelPool.acquire(embedding);
                Connection admin = postgres.adminConnection()) {
            try (Statement s = admin.createStatement()) {
                s.execute(
                        "INSERT INTO users (id, username, global_name) VALUES"
                                + " (1, 'ada', 'Ada'), (2, 'bob', NULL), (3, 'cy', 'Cy'), (4, 'di', 'Di')");
                s.execute("INSERT INTO channels (id, guild_id, name) VALUES (10, 1, 'general')");
            }
            ConversationPlanner planner =
                    new ConversationPlanner(
                            options,
                            embedding.model().id(),
                            model.model().tokenizer()::countTokens);
            for (int h : histories) {
                List<SessionMessage> history = history(h, new Random(h));
                long t = System.nanoTime();
                Tables tables = tables(history, planner);
                System.out.printf(
                        Locale.ROOT,
                        "H=%d: the backfill's rows planned in %.1f s%n",
                        h,
                        (System.nanoTime() - t) / 1e9);
                for (String backend : backends) {
                    t = System.nanoTime();
                    load(admin, tables); // afresh: the changes below alter it
                    System.out.printf(
                            Locale.ROOT,
                            "H=%d: history in PostgreSQL (messages + message_sessions) in %.1f s%n",
                            h,
                            (System.nanoTime() - t) / 1e9);
                    run(h, backend.trim(), history, postgres, admin, options, embedding);
                }
            }
        } finally {
            postgres.stop();
        }
    }

    /** H messages: conversations of 20, 20 s apart, spread evenly over the same three years. */
    static List<SessionMessage> history(int h, Random r) {
        List<SessionMessage> out = new ArrayList<>(h);
        int conversations = Math.max(1, h / CONVERSATION);
        long spacing = SPAN.toMillis() / conversations;
        long id = 1_000_000;
        for (int c = 0; c < conversations; c++) {
            Instant start = T0.plusMillis(c * spacing);
            for (int i = 0; i < CONVERSATION && out.size() < h; i++) {
                int author = 1 + r.nextInt(4);
                out.add(
                        new SessionMessage(
                                id++,
                                author,
                                NAMES[author - 1],
                                start.plusSeconds(20L * i),
                                sentence(r)));
            }
        }
        return out;
    }

    static String sentence(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 5 + r.nextInt(11);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** COPY text of {@code messages} and {@code message_sessions}, planned once per history. */
    record Tables(String messages, String sessions) {}

    /** The table state a backfill leaves: the messages, and the points of every conversation. */
    static Tables tables(List<SessionMessage> history, ConversationPlanner planner) {
        StringBuilder rows = new StringBuilder();
        for (SessionMessage m : history) {
            rows.append(m.id())
                    .append('\t')
                    .append(GUILD)
                    .append('\t')
                    .append(CHANNEL)
                    .append('\t')
                    .append(m.authorId())
                    .append('\t')
                    .append(m.content())
                    .append('\t')
                    .append(m.timestamp())
                    .append('\n');
        }
        String messages = rows.toString();
        rows.setLength(0);
        ChannelRef ref = new ChannelRef(GUILD, CHANNEL, CHANNEL_NAME);
        for (Conversation c : planner.group(history)) {
            for (PlannedPoint p : planner.points(ref, c)) {
                long[] ids = p.messageIds();
                rows.append(p.pointId())
                        .append('\t')
                        .append(GUILD)
                        .append('\t')
                        .append(CHANNEL)
                        .append('\t')
                        .append(p.startTime())
                        .append('\t')
                        .append(p.endTime())
                        .append('\t')
                        .append('{')
                        .append(
                                String.join(
                                        ",", Arrays.stream(ids).mapToObj(Long::toString).toList()))
                        .append('}')
                        .append('\t')
                        .append(ids.length)
                        .append('\t')
                        .append(p.chunk())
                        .append('\t')
                        .append(ModelRegistry.ALL_MINILM_L6_V2)
                        .append('\t')
                        .append(p.fingerprint())
                        .append('\n');
            }
        }
        return new Tables(messages, rows.toString());
    }

    static void load(Connection admin, Tables tables) throws Exception {
        try (Statement s = admin.createStatement()) {
            s.execute("TRUNCATE messages, message_sessions");
        }
        CopyManager copy = admin.unwrap(PGConnection.class).getCopyAPI();
        copy.copyIn(
                "COPY messages (id, guild_id, channel_id, author_id, content, message_timestamp)"
                        + " FROM STDIN",
                new StringReader(tables.messages()));
        copy.copyIn(
                "COPY message_sessions (id, guild_id, channel_id, start_time, end_time,"
                        + " message_ids, message_count, chunk, model, content_fingerprint) FROM STDIN",
                new StringReader(tables.sessions()));
        try (Statement s = admin.createStatement()) {
            s.execute("ANALYZE messages");
            s.execute("ANALYZE message_sessions");
        }
    }

    private static void run(
            int h,
            String backend,
            List<SessionMessage> history,
            EmbeddedPostgresExtension postgres,
            Connection admin,
            SessionizerOptions options,
            EmbeddingOptions embedding)
            throws Exception {
        PostgresOptions pg =
                PostgresOptions.builder()
                        .host(postgres.host())
                        .port(postgres.port())
                        .database(postgres.database())
                        .user(EmbeddedPostgresExtension.INDEXER_ROLE)
                        .password(postgres.indexerPassword())
                        .build();
        Metrics metrics = new Metrics();
        // RocksDB sizes its memtables from managed memory, as a TaskManager slot would give it
        try (MockEnvironment env =
                        new MockEnvironmentBuilder()
                                .setMetricGroup(metrics)
                                .setManagedMemorySize(512L << 20)
                                .build();
                KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new Sessionizer(options, embedding, pg, false, false)),
                                ChannelEvent::channelKey,
                                Types.STRING,
                                env)) {
            harness.setStateBackend(
                    backend.equals("rocksdb")
                            ? new EmbeddedRocksDBStateBackend()
                            : new HashMapStateBackend());
            harness.open();
            Clock clock = new Clock(harness);
            long t = System.nanoTime();
            for (SessionMessage m : history) {
                harness.processElement(event(m, MessageChange.Kind.SNAPSHOT), 0);
            }
            double loadSeconds = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            clock.advance(options.idleTimeout().plusSeconds(1));
            double flushSeconds = (System.nanoTime() - t) / 1e9;
            int written = harness.extractOutputValues().size();
            harness.getOutput().clear();
            OperatorSubtaskState snapshot = harness.snapshot(1, clock.now);
            long inState = history.size() - metrics.count(Sessionizer.MESSAGES_EVICTED);
            System.out.printf(
                    Locale.ROOT,
                    "H=%d %s: streamed in %.1f s, first (idle) flush %.1f s, %d updates (0 = the"
                            + " backfill's points were recognised), messages in state %d,"
                            + " checkpoint %d bytes (%.1f B per message in state)%n",
                    h,
                    backend,
                    loadSeconds,
                    flushSeconds,
                    written,
                    inState,
                    snapshot.getStateSize(),
                    snapshot.getStateSize() / (double) Math.max(1, inState));

            Changes changes = new Changes(harness, clock, admin, history, options);
            Map<String, Sample> results = new LinkedHashMap<>();
            long reloadsBefore = metrics.count(Sessionizer.HISTORY_RELOADS);
            for (int rep = 0; rep < REPETITIONS; rep++) {
                results.computeIfAbsent("first message of a new session", k -> new Sample())
                        .add(changes.newSession());
                results.computeIfAbsent("append to the open session", k -> new Sample())
                        .add(changes.append());
                results.computeIfAbsent("idle close", k -> new Sample()).add(changes.idleClose());
                results.computeIfAbsent("message in a quiet channel", k -> new Sample())
                        .add(changes.quietMessage());
                results.computeIfAbsent("edit of an old message", k -> new Sample())
                        .add(changes.editOld(1));
                results.computeIfAbsent("delete of an old message", k -> new Sample())
                        .add(changes.deleteOld());
                results.computeIfAbsent("two edits of old messages in a minute", k -> new Sample())
                        .add(changes.editOld(2));
                harness.getOutput().clear();
                harness.snapshot(
                        2 + rep, clock.now); // as a periodic checkpoint would (RocksDB compacts)
            }
            for (Map.Entry<String, Sample> e : results.entrySet()) {
                System.out.printf(
                        Locale.ROOT,
                        "RESULT H=%d backend=%s event=\"%s\" cpu_ms=%.3f wall_ms=%.3f%n",
                        h,
                        backend,
                        e.getKey(),
                        e.getValue().cpuMedianMs(),
                        e.getValue().wallMedianMs());
            }
            OperatorSubtaskState after = harness.snapshot(2 + REPETITIONS, clock.now);
            System.out.printf(
                    Locale.ROOT,
                    "H=%d %s: history reloads %d during the changes; messages in state %d;"
                            + " checkpoint after them %d bytes%n",
                    h,
                    backend,
                    metrics.count(Sessionizer.HISTORY_RELOADS) - reloadsBefore,
                    history.size()
                            + changes.inserted()
                            - metrics.count(Sessionizer.MESSAGES_EVICTED),
                    after.getStateSize());
        }
    }

    static ChannelEvent event(SessionMessage m, MessageChange.Kind kind) {
        return ChannelEvent.upsert(GUILD, CHANNEL, CHANNEL_NAME, m, kind, 0);
    }

    /** Processing time of the harness. */
    static final class Clock {
        final KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness;
        long now;

        Clock(KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness) {
            this.harness = harness;
        }

        void advance(Duration d) throws Exception {
            now += d.toMillis();
            harness.setProcessingTime(now);
        }
    }

    /** CPU and wall time of one change and the flush it causes. */
    record Cost(long cpuNanos, long wallNanos) {}

    static final class Sample {
        final List<Long> cpu = new ArrayList<>();
        final List<Long> wall = new ArrayList<>();

        void add(Cost c) {
            cpu.add(c.cpuNanos());
            wall.add(c.wallNanos());
        }

        double cpuMedianMs() {
            return median(cpu) / 1e6;
        }

        double wallMedianMs() {
            return median(wall) / 1e6;
        }

        private static double median(List<Long> values) {
            List<Long> sorted = new ArrayList<>(values);
            sorted.sort(Long::compare);
            return sorted.get(sorted.size() / 2);
        }
    }

    /** The kinds of change, each applied to PostgreSQL untimed, then timed through the operator. */
    static final class Changes {
        final KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness;
        final Clock clock;
        final Connection admin;
        final List<SessionMessage> old;
        final SessionizerOptions options;
        final Random random = new Random(7);
        static final long FIRST_NEW_ID = 900_000_000_000L;
        long nextId = FIRST_NEW_ID;
        Instant latest;

        Changes(
                KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness,
                Clock clock,
                Connection admin,
                List<SessionMessage> history,
                SessionizerOptions options) {
            this.harness = harness;
            this.clock = clock;
            this.admin = admin;
            this.options = options;
            this.latest = history.get(history.size() - 1).timestamp();
            Instant oldBefore = T0.plus(Duration.ofDays(365)); // far outside the retention
            this.old =
                    new ArrayList<>(
                            history.stream()
                                    .filter(m -> m.timestamp().isBefore(oldBefore))
                                    .toList());
        }

        /** New messages the changes added. */
        long inserted() {
            return nextId - FIRST_NEW_ID;
        }

        Cost newSession() throws Exception {
            latest = latest.plus(Duration.ofHours(1));
            return insertAndFlush(latest);
        }

        Cost append() throws Exception {
            latest = latest.plus(Duration.ofMinutes(1));
            return insertAndFlush(latest);
        }

        Cost idleClose() throws Exception {
            return timed(() -> clock.advance(options.idleTimeout().plusSeconds(1)));
        }

        Cost quietMessage() throws Exception {
            latest = latest.plus(Duration.ofMinutes(2)); // its conversation was closed idle
            return insertAndFlush(latest);
        }

        Cost editOld(int edits) throws Exception {
            List<SessionMessage> edited = new ArrayList<>();
            for (int i = 0; i < edits; i++) {
                SessionMessage m = old.get(random.nextInt(old.size()));
                SessionMessage e =
                        new SessionMessage(
                                m.id(),
                                m.authorId(),
                                m.authorName(),
                                m.timestamp(),
                                sentence(random));
                update("UPDATE messages SET content = ? WHERE id = ?", e.content(), e.id());
                old.set(old.indexOf(m), e);
                edited.add(e);
            }
            return timed(
                    () -> {
                        for (SessionMessage e : edited) {
                            harness.processElement(event(e, MessageChange.Kind.UPDATE), 0);
                        }
                        clock.advance(options.flushDelay());
                    });
        }

        Cost deleteOld() throws Exception {
            SessionMessage m = old.remove(random.nextInt(old.size()));
            update("UPDATE messages SET is_deleted = true WHERE id = ?", m.id());
            return timed(
                    () -> {
                        harness.processElement(
                                ChannelEvent.remove(
                                        GUILD,
                                        CHANNEL,
                                        Long.toString(CHANNEL),
                                        m.id(),
                                        m.timestamp(),
                                        MessageChange.Kind.UPDATE,
                                        0),
                                0);
                        clock.advance(options.flushDelay());
                    });
        }

        private Cost insertAndFlush(Instant at) throws Exception {
            SessionMessage m = new SessionMessage(nextId++, 1, "Ada", at, sentence(random));
            try (PreparedStatement ps =
                    admin.prepareStatement(
                            "INSERT INTO messages (id, guild_id, channel_id, author_id, content,"
                                    + " message_timestamp) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, m.id());
                ps.setLong(2, GUILD);
                ps.setLong(3, CHANNEL);
                ps.setLong(4, m.authorId());
                ps.setString(5, m.content());
                ps.setObject(6, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return timed(
                    () -> {
                        harness.processElement(event(m, MessageChange.Kind.INSERT), 0);
                        clock.advance(options.flushDelay());
                    });
        }

        private void update(String sql, Object... params) throws Exception {
            try (PreparedStatement ps = admin.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                ps.executeUpdate();
            }
        }

        interface Step {
            void run() throws Exception;
        }

        private static Cost timed(Step step) throws Exception {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            step.run();
            return new Cost(THREADS.getCurrentThreadCpuTime() - cpu, System.nanoTime() - wall);
        }
    }

    /** Collects the sessionizer's counters. */
    static final class Metrics extends InterceptingTaskMetricGroup {
        private final InterceptingOperatorMetricGroup operator =
                new InterceptingOperatorMetricGroup();

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name) {
            return operator;
        }

        long count(String name) {
            Counter c = (Counter) operator.get(name);
            return c == null ? 0 : c.getCount();
        }
    }
}
