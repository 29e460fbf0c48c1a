package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * State retention changes nothing but the state: the sessionizer with a short {@code
 * session.state-retention} (history leaves state and is read back from PostgreSQL) leaves exactly
 * the index that unbounded state leaves — same point ids, message ids, text and fingerprints — on
 * seeded random workloads of inserts, edits, soft and hard deletes, late inserts and bridging
 * messages across the retention boundary, with the write-back lagging decisions by a checkpoint as
 * in the job. Both indexes are also what the planner expects of the final table (the rule {@code
 * verify} checks), and {@code message_sessions} and {@code messages.qdrant_point_id} describe them.
 */
class SessionizerRetentionITCase {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    static final int WORKLOADS = 200;
    static final long GUILD = 1;
    static final long CHANNEL = 10;
    static final String CHANNEL_NAME = "general";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration SHORT_RETENTION = Duration.ofDays(2);
    static final Duration UNBOUNDED = Duration.ofDays(1_000_000);

    static final EmbeddingOptions EMBEDDING =
            EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2).build();

    private static EmbeddingModelPool.Lease pinned;

    @BeforeAll
    static void setUp() throws Exception {
        pinned = EmbeddingModelPool.acquire(EMBEDDING);
        POSTGRES.execute(
                "INSERT INTO users (id, username, global_name) VALUES"
                        + " (1, 'ada', 'Ada'), (2, 'bob', NULL), (3, 'cy', 'Cy'), (4, 'di', 'Di')",
                "INSERT INTO channels (id, guild_id, name) VALUES (10, 1, 'general')");
    }

    @AfterAll
    static void tearDown() {
        pinned.close();
    }

    static PostgresOptions postgres() {
        return PostgresOptions.builder()
                .host(POSTGRES.host())
                .port(POSTGRES.port())
                .database(POSTGRES.database())
                .user(EmbeddedPostgresExtension.INDEXER_ROLE)
                .password(POSTGRES.indexerPassword())
                .build();
    }

    @Test
    void shortRetentionLeavesTheIndexThatUnboundedStateLeaves() throws Exception {
        long reloads = 0;
        long evicted = 0;
        long quoting = 0;
        for (int seed = 1; seed <= WORKLOADS; seed++) {
            List<Op> workload = Workload.generate(new Random(seed));
            Run unbounded = run(workload, UNBOUNDED);
            Run bounded = run(workload, SHORT_RETENTION);
            reloads += bounded.reloads;
            evicted += bounded.evicted;
            quoting +=
                    bounded.expected.values().stream()
                            .filter(v -> v.contains("(reply to @"))
                            .count();
            assertThat(unbounded.evicted)
                    .as("seed %d: unbounded state evicts nothing", seed)
                    .isZero();
            assertThat(bounded.index)
                    .as("seed %d: index with retention %s", seed, SHORT_RETENTION)
                    .isEqualTo(unbounded.index);
            assertThat(unbounded.index)
                    .as("seed %d: the planner's expectation of the final table", seed)
                    .isEqualTo(bounded.expected);
            assertThat(bounded.writeBack)
                    .as("seed %d: message_sessions and messages.qdrant_point_id", seed)
                    .isEqualTo(bounded.expectedWriteBack);
        }
        assertThat(evicted).as("messages that left state").isPositive();
        assertThat(reloads).as("reads of history that left state").isPositive();
        assertThat(quoting)
                .as("points with a reply across the gap, quoting its parent")
                .isPositive();
    }

    @Test
    void aChannelFirstSeenThroughALiveChangeReadsItsHistoryFromPostgres() throws Exception {
        List<Op> earlier = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            earlier.add(
                    new Insert(new Msg(1 + i, 1 + i, T0.plusSeconds(300L * i), "part " + i), 0));
        }
        Run before = run(earlier, UNBOUNDED, true); // an earlier run (or a backfill) indexed it
        assertThat(before.index).hasSize(1);

        // a new operator without state; one live message continues that conversation
        Msg next = new Msg(4, 4, T0.plusSeconds(900), "and the end of it");
        Run after = run(List.of(new Insert(next, 0)), SHORT_RETENTION, false);

        assertThat(after.index).isEqualTo(after.expected);
        assertThat(after.index.values()).singleElement().asString().startsWith("[1, 2, 3, 4]");
        assertThat(after.reloads).isPositive();
    }

    @Test
    void aSnapshotOfALongHistoryLeavesStateAsItStreamsNotAtTheFirstFlush() throws Exception {
        List<Op> snapshot = new ArrayList<>();
        int days = 30;
        for (int d = 0; d < days; d++) {
            for (int i = 0; i < 3; i++) {
                Instant t = T0.plus(Duration.ofDays(d)).plusSeconds(120L * i);
                snapshot.add(new SnapshotRow(new Msg(100 + 3 * d + i, 1 + i, t, "day " + d), 0));
            }
        }
        Run run = run(snapshot, SHORT_RETENTION);

        // the clock is on day 29: days 0..26 lie wholly before it minus two days
        long evictable = 3L * (days - 1 - SHORT_RETENTION.toDays());
        assertThat(run.evictedAfterStep.get(snapshot.size() - 1))
                .as("messages evicted before the idle flush (no processing time has passed)")
                .isEqualTo(evictable);
        assertThat(run.index).hasSize(days).isEqualTo(run.expected);
        assertThat(run.writeBack).isEqualTo(run.expectedWriteBack);
        assertThat(run.reloads).as("the evicted days were planned from PostgreSQL").isPositive();
    }

    @Test
    void aReplyToAMessageThatLeftStateQuotesItReadFromPostgres() throws Exception {
        Instant evening = T0.plus(Duration.ofHours(23));
        Instant nextDay = T0.plus(Duration.ofHours(35));
        List<Op> workload =
                List.of(
                        new Insert(new Msg(1, 1, evening, "how do I rotate the api key?"), 0),
                        new Insert(new Msg(2, 2, evening.plusSeconds(60), "settings, keys", 1), 0),
                        new Insert(new Msg(3, 3, nextDay, "standup moved to ten"), 0),
                        new Insert(new Msg(4, 4, nextDay.plusSeconds(60), "ok"), 0),
                        new Pause(61_000),
                        // the next day, past an hour's retention: day 0 has left state
                        new Insert(
                                new Msg(
                                        5,
                                        3,
                                        nextDay.plusSeconds(3600),
                                        "did it break webhooks?",
                                        1),
                                0),
                        new Insert(new Msg(6, 1, nextDay.plusSeconds(3660), "no", 5), 0));
        Run bounded = run(workload, Duration.ofHours(1));
        Run unbounded = run(workload, UNBOUNDED);

        assertThat(bounded.evicted).as("day 0 left state").isPositive();
        assertThat(bounded.reloads).as("the parent was read back").isPositive();
        assertThat(bounded.index).isEqualTo(unbounded.index).isEqualTo(bounded.expected);
        assertThat(bounded.index.values())
                .anyMatch(p -> p.contains("(reply to @Ada, 2026-01-01 23:00: \"how do I rotate"));
        assertThat(bounded.writeBack).isEqualTo(bounded.expectedWriteBack);
    }

    /** What one run leaves: the index, the write-back, and what the planner expects. */
    record Run(
            Map<String, String> index,
            Map<String, String> expected,
            Map<String, String> writeBack,
            Map<String, String> expectedWriteBack,
            long reloads,
            long evicted,
            List<Long> evictedAfterStep) {}

    private Run run(List<Op> workload, Duration retention) throws Exception {
        return run(workload, retention, true);
    }

    /**
     * @param fresh start from empty tables (else on what the tables hold)
     */
    private Run run(List<Op> workload, Duration retention, boolean fresh) throws Exception {
        if (fresh) {
            POSTGRES.execute("TRUNCATE messages, message_sessions");
        }
        SessionizerOptions options =
                SessionizerOptions.builder()
                        .idleTimeout(Duration.ofSeconds(60))
                        .flushDelay(Duration.ofMillis(500))
                        .stateRetention(retention)
                        .build();
        OperatorMetrics metrics = new OperatorMetrics();
        Map<String, ChunkUpdate> index = new TreeMap<>();
        try (Connection db = POSTGRES.indexerConnection();
                Connection bot = POSTGRES.adminConnection();
                MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(metrics).build();
                KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new Sessionizer(
                                                options, EMBEDDING, postgres(), false, false)),
                                ChannelEvent::channelKey,
                                Types.STRING,
                                env)) {
            harness.open();
            WriteBack writeBack = new WriteBack(db, index);
            long now = 0;
            long checkpoint = 0;
            int sinceCheckpoint = 0;
            List<Long> evictedAfterStep = new ArrayList<>();
            for (Op op : workload) {
                ChannelEvent event = op.applyTo(bot);
                if (event != null) {
                    harness.processElement(event, 0);
                }
                now += op.pauseMillis;
                harness.setProcessingTime(now);
                writeBack.decided(harness.extractOutputValues());
                harness.getOutput().clear();
                evictedAfterStep.add(metrics.count(Sessionizer.MESSAGES_EVICTED));
                if (++sinceCheckpoint == 5) {
                    sinceCheckpoint = 0;
                    harness.snapshot(++checkpoint, now);
                    harness.notifyOfCompletedCheckpoint(checkpoint);
                    writeBack.checkpointCompleted();
                }
            }
            now += Duration.ofMinutes(5).toMillis(); // idle: every conversation closes
            harness.setProcessingTime(now);
            writeBack.decided(harness.extractOutputValues());
            harness.getOutput().clear();
            for (int i = 0; i < 2; i++) {
                harness.snapshot(++checkpoint, now);
                harness.notifyOfCompletedCheckpoint(checkpoint);
                writeBack.checkpointCompleted();
            }
            Map<String, String> expected = new TreeMap<>();
            Map<String, String> expectedWriteBack = new TreeMap<>();
            expect(db, expected, expectedWriteBack);
            return new Run(
                    describe(index),
                    expected,
                    writeBackOf(db),
                    expectedWriteBack,
                    metrics.count(Sessionizer.HISTORY_RELOADS),
                    metrics.count(Sessionizer.MESSAGES_EVICTED),
                    evictedAfterStep);
        }
    }

    /** The points the planner expects of the final live messages, as {@code verify} asks. */
    private static void expect(
            Connection db, Map<String, String> points, Map<String, String> writeBack)
            throws Exception {
        List<SessionMessage> live = new ArrayList<>();
        try (MessageHistory history = new MessageHistory(postgres(), Duration.ofMinutes(1))) {
            live.addAll(
                    history.between(
                            GUILD,
                            CHANNEL,
                            T0.minus(Duration.ofDays(365)).toEpochMilli(),
                            T0.plus(Duration.ofDays(365)).toEpochMilli()));
        }
        ConversationPlanner planner =
                new ConversationPlanner(
                        SessionizerOptions.builder().build(),
                        EMBEDDING.model().id(),
                        pinned.model().tokenizer()::countTokens);
        ChannelRef ref = new ChannelRef(GUILD, CHANNEL, CHANNEL_NAME);
        for (Conversation c : planner.group(live)) {
            for (PlannedPoint p : planner.points(ref, c)) {
                points.put(p.pointId(), describe(p.messageIds(), p.text(), p.fingerprint()));
                writeBack.put(p.pointId(), Arrays.toString(p.messageIds()) + " " + p.fingerprint());
            }
        }
    }

    private static Map<String, String> describe(Map<String, ChunkUpdate> index) {
        Map<String, String> out = new TreeMap<>();
        index.forEach((id, u) -> out.put(id, describe(u.messageIds(), u.text(), u.fingerprint())));
        return out;
    }

    private static String describe(long[] ids, String text, String fingerprint) {
        return Arrays.toString(ids) + " " + fingerprint + "\n" + text;
    }

    /**
     * {@code message_sessions} rows as "ids fingerprint", checked against {@code
     * messages.qdrant_point_id} of every member (a mismatch is described in the value).
     */
    private static Map<String, String> writeBackOf(Connection db) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT id, message_ids, content_fingerprint FROM message_sessions")) {
            while (rs.next()) {
                Long[] ids = (Long[]) rs.getArray(2).getArray();
                out.put(rs.getString(1), Arrays.toString(ids) + " " + rs.getString(3));
            }
        }
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT m.id, m.qdrant_point_id, m.is_deleted FROM messages m"
                                        + " LEFT JOIN message_sessions s ON m.id = ANY (s.message_ids)"
                                        + " WHERE m.qdrant_point_id IS DISTINCT FROM s.id")) {
            while (rs.next()) {
                out.put(
                        "message " + rs.getLong(1),
                        "qdrant_point_id " + rs.getString(2) + " but no such point lists it");
            }
        }
        return out;
    }

    /**
     * The write-back as the job does it: a decision reaches PostgreSQL one checkpoint after it is
     * made (released when its checkpoint completes, flushed at the next barrier).
     */
    private static final class WriteBack {
        private final Connection db;
        private final Map<String, ChunkUpdate> index;
        private List<ChunkUpdate> sinceLastCheckpoint = new ArrayList<>();
        private List<ChunkUpdate> released = new ArrayList<>();

        WriteBack(Connection db, Map<String, ChunkUpdate> index) {
            this.db = db;
            this.index = index;
        }

        void decided(List<ChunkUpdate> updates) {
            sinceLastCheckpoint.addAll(updates);
        }

        void checkpointCompleted() throws Exception {
            for (ChunkUpdate u : released) {
                try (PreparedStatement ps = db.prepareStatement(MessageSessionsTable.WRITE_SQL)) {
                    MessageSessionsTable.bindWrite(ps, u);
                    ps.execute();
                }
            }
            released = sinceLastCheckpoint;
            for (ChunkUpdate u : released) { // the Qdrant side: applied once released
                if (u.kind() == ChunkUpdate.Kind.UPSERT) {
                    index.put(u.pointId(), u);
                } else {
                    index.remove(u.pointId());
                }
            }
            sinceLastCheckpoint = new ArrayList<>();
        }
    }

    /** Collects the sessionizer's counters (the harness's default metric group keeps none). */
    private static final class OperatorMetrics extends InterceptingTaskMetricGroup {
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

    /** One step of a workload: a change committed to {@code messages}, then a pause. */
    abstract static class Op {
        final long pauseMillis;

        Op(long pauseMillis) {
            this.pauseMillis = pauseMillis;
        }

        /** Commits the change; returns the event the CDC stream delivers for it (or null). */
        abstract ChannelEvent applyTo(Connection db) throws Exception;
    }

    static class Insert extends Op {
        final Msg m;

        Insert(Msg m, long pauseMillis) {
            super(pauseMillis);
            this.m = m;
        }

        @Override
        ChannelEvent applyTo(Connection db) throws Exception {
            try (PreparedStatement ps =
                    db.prepareStatement(
                            "INSERT INTO messages (id, guild_id, channel_id, author_id, content,"
                                    + " message_timestamp, reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, m.id);
                ps.setLong(2, GUILD);
                ps.setLong(3, CHANNEL);
                ps.setLong(4, m.author);
                ps.setString(5, m.content);
                ps.setTimestamp(6, Timestamp.from(m.time));
                if (m.replyTo == 0) {
                    ps.setNull(7, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(7, m.replyTo);
                }
                ps.executeUpdate();
            }
            return upsert(m, MessageChange.Kind.INSERT);
        }
    }

    /** A row of the initial snapshot (in PostgreSQL before the job starts). */
    static final class SnapshotRow extends Insert {
        SnapshotRow(Msg m, long pauseMillis) {
            super(m, pauseMillis);
        }

        @Override
        ChannelEvent applyTo(Connection db) throws Exception {
            super.applyTo(db);
            return upsert(m, MessageChange.Kind.SNAPSHOT);
        }
    }

    static final class Edit extends Op {
        final Msg m;

        Edit(Msg m, long pauseMillis) {
            super(pauseMillis);
            this.m = m;
        }

        @Override
        ChannelEvent applyTo(Connection db) throws Exception {
            try (PreparedStatement ps =
                    db.prepareStatement("UPDATE messages SET content = ? WHERE id = ?")) {
                ps.setString(1, m.content);
                ps.setLong(2, m.id);
                ps.executeUpdate();
            }
            return upsert(m, MessageChange.Kind.UPDATE);
        }
    }

    static final class Delete extends Op {
        final Msg m;
        final boolean soft;

        Delete(Msg m, boolean soft, long pauseMillis) {
            super(pauseMillis);
            this.m = m;
            this.soft = soft;
        }

        @Override
        ChannelEvent applyTo(Connection db) throws Exception {
            try (PreparedStatement ps =
                    db.prepareStatement(
                            soft
                                    ? "UPDATE messages SET is_deleted = true WHERE id = ?"
                                    : "DELETE FROM messages WHERE id = ?")) {
                ps.setLong(1, m.id);
                ps.executeUpdate();
            }
            return ChannelEvent.remove(
                    GUILD,
                    CHANNEL,
                    Long.toString(CHANNEL),
                    m.id,
                    m.time,
                    soft ? MessageChange.Kind.UPDATE : MessageChange.Kind.DELETE,
                    0);
        }
    }

    /** Processing time passes without a change. */
    static final class Pause extends Op {
        Pause(long pauseMillis) {
            super(pauseMillis);
        }

        @Override
        ChannelEvent applyTo(Connection db) {
            return null;
        }
    }

    static ChannelEvent upsert(Msg m, MessageChange.Kind kind) {
        return ChannelEvent.upsert(
                GUILD,
                CHANNEL,
                CHANNEL_NAME,
                new SessionMessage(
                        m.id,
                        m.author,
                        NAMES.get(m.author),
                        m.time,
                        m.content,
                        m.replyTo,
                        null,
                        null),
                kind,
                0);
    }

    static final Map<Long, String> NAMES = Map.of(1L, "Ada", 2L, "bob", 3L, "Cy", 4L, "Di");

    /** A message as the workload knows it (content changes with edits). */
    record Msg(long id, long author, Instant time, String content, long replyTo) {
        Msg(long id, long author, Instant time, String content) {
            this(id, author, time, content, 0);
        }
    }

    /** Seeded random workloads: a month of chat, then changes anywhere in it. */
    static final class Workload {
        private static final String[] WORDS = {
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
            "thanks"
        };

        static List<Op> generate(Random r) {
            List<Op> ops = new ArrayList<>();
            List<Msg> live = new ArrayList<>();
            Map<Long, Msg> byId = new HashMap<>();
            long[] nextId = {1_000};
            Instant t = T0;
            int conversations = 8 + r.nextInt(10);
            for (int c = 0; c < conversations; c++) {
                // between conversations: minutes (bridgeable), hours or days
                long gapMinutes =
                        switch (r.nextInt(3)) {
                            case 0 -> 16 + r.nextInt(13);
                            case 1 -> 60 + r.nextInt(600);
                            default -> 1_440 + r.nextInt(3 * 1_440);
                        };
                t = t.plus(Duration.ofMinutes(gapMinutes));
                int size = 1 + r.nextInt(8);
                for (int i = 0; i < size; i++) {
                    if (i > 0) {
                        t = t.plusSeconds(20 + r.nextInt(14 * 60));
                    }
                    Msg m =
                            new Msg(
                                    nextId[0]++,
                                    1 + r.nextInt(4),
                                    t,
                                    sentence(r),
                                    replyTo(r, live));
                    live.add(m);
                    byId.put(m.id, m);
                    ops.add(new Insert(m, pause(r)));
                    if (r.nextInt(4) == 0 && live.size() > 2) {
                        ops.add(change(r, live, byId, nextId, t));
                    }
                }
            }
            int tail = 5 + r.nextInt(15); // changes after the history, mostly to old messages
            for (int i = 0; i < tail; i++) {
                ops.add(change(r, live, byId, nextId, t));
            }
            return ops;
        }

        private static Op change(
                Random r, List<Msg> live, Map<Long, Msg> byId, long[] nextId, Instant now) {
            int kind = r.nextInt(10);
            if (live.isEmpty() || kind >= 8) { // a late insert, often bridging two conversations
                Instant at;
                if (!live.isEmpty() && r.nextBoolean()) {
                    Msg anchor = live.get(r.nextInt(live.size()));
                    at = anchor.time.plus(Duration.ofMinutes(8 + r.nextInt(10)));
                } else {
                    at = T0.plus(Duration.ofMinutes(r.nextInt((int) minutesSinceT0(now) + 1)));
                }
                if (at.isAfter(now)) {
                    at = now;
                }
                Msg m = new Msg(nextId[0]++, 1 + r.nextInt(4), at, sentence(r), replyTo(r, live));
                live.add(m);
                byId.put(m.id, m);
                return new Insert(m, pause(r));
            }
            Msg target = live.get(r.nextInt(live.size()));
            if (kind < 5) {
                Msg edited =
                        new Msg(target.id, target.author, target.time, sentence(r), target.replyTo);
                live.set(live.indexOf(target), edited);
                byId.put(edited.id, edited);
                return new Edit(edited, pause(r));
            }
            live.remove(target);
            return new Delete(target, kind < 7, pause(r));
        }

        /**
         * A third of messages use the reply feature, on one of the last 12 messages written: often
         * across the gap, across the retention and across the reply window; sometimes on a message
         * deleted since, or on a later one (a late insert).
         */
        private static long replyTo(Random r, List<Msg> live) {
            if (live.isEmpty() || r.nextInt(3) != 0) {
                return 0;
            }
            return live.get(Math.max(0, live.size() - 1 - r.nextInt(12))).id;
        }

        private static long minutesSinceT0(Instant now) {
            return Duration.between(T0, now).toMinutes();
        }

        /** Mostly short pauses (a burst is one flush), sometimes long enough for the idle close. */
        private static long pause(Random r) {
            return switch (r.nextInt(6)) {
                case 0 -> 61_000 + r.nextInt(5_000);
                case 1 -> 600 + r.nextInt(2_000);
                default -> r.nextInt(400);
            };
        }

        private static String sentence(Random r) {
            StringBuilder sb = new StringBuilder();
            int n = 3 + r.nextInt(12);
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            return sb.toString();
        }
    }
}
