package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.StreamingPipeline;
import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.sink.jdbc.WriteBackCounter;
import io.discordrag.indexer.testing.data.ConversationalChat;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --mode backfill} (issue 7): a bounded BATCH run over a snapshot of {@code messages}
 * produces the streaming job's points, at any parallelism, changes nothing when run again, and
 * hands off to the streaming job without re-embedding what it indexed.
 */
class BackfillITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster(METRICS);

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    /** Realistic chat: interleaved conversations with replies, mentions and bursts. */
    private static final SyntheticChat.Dataset DATA =
            ConversationalChat.generate(ConversationalChat.Spec.of(600)).dataset();

    private IndexerFixture fx;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        try (Connection c = POSTGRES.adminConnection()) {
            SyntheticChat.insertDirectory(c, DATA);
            SyntheticChat.insertMessages(c, DATA.messages());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private Map<String, String> backfill(String collection, int parallelism) {
        Map<String, String> o = fx.options();
        o.put("mode", "backfill");
        o.put("parallelism", Integer.toString(parallelism));
        o.put(
                "backfill.split-rows",
                "40"); // 15 key ranges: each reader reads several, one after another
        o.put("qdrant.collection", collection);
        return o;
    }

    private static void assertSamePoints(
            Map<String, Point> actual, Map<String, Point> expected, String what) {
        assertThat(actual.keySet()).as("%s: point ids", what).isEqualTo(expected.keySet());
        for (Map.Entry<String, Point> e : expected.entrySet()) {
            Point a = actual.get(e.getKey());
            assertThat(a.messageIds())
                    .as("%s: message ids of %s", what, e.getKey())
                    .isEqualTo(e.getValue().messageIds());
            assertThat(a.content())
                    .as("%s: content of %s", what, e.getKey())
                    .isEqualTo(e.getValue().content());
            assertThat(a.guild()).isEqualTo(e.getValue().guild());
            assertThat(a.chunk()).isEqualTo(e.getValue().chunk());
            for (int i = 0; i < a.vector().length; i++) {
                assertThat(a.vector()[i])
                        .as("%s: vector of %s", what, e.getKey())
                        .isCloseTo(e.getValue().vector()[i], Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void aBackfillIndexesExactlyWhatTheStreamingJobDoesAtParallelismOneAndTwo() throws Exception {
        fx.start();
        fx.awaitVerifiedClean();
        Map<String, Point> streamed = fx.points();
        fx.stopJob();
        assertThat(streamed).hasSizeGreaterThan(20);

        for (int parallelism : new int[] {2, 1}) {
            fx.resetWriteBack();
            String collection = QdrantTarget.uniqueCollectionName("backfill_p" + parallelism);
            Map<String, String> options = backfill(collection, parallelism);
            Map<String, Object> result = fx.runToCompletion(options);
            assertThat(((Number) result.get(ChangeInterpreter.ROWS_READ)).longValue())
                    .isEqualTo(DATA.messages().size());
            Map<String, Point> backfilled = fx.points(collection);
            assertSamePoints(backfilled, streamed, "backfill at parallelism " + parallelism);
            fx.verify(options, null)
                    .assertExit(io.discordrag.indexer.job.verify.VerifyCommand.CLEAN);
            QDRANT.client().deleteCollectionAsync(collection).get();
        }
    }

    @Test
    void runningTheSameBackfillAgainChangesNothing() throws Exception {
        String collection = fx.collection;
        Map<String, Object> first = fx.runToCompletion(backfill(collection, 2));
        assertThat(((Number) first.get(WriteBackCounter.WRITE_BACK_POINTS_UPSERTED)).longValue())
                .isPositive();
        Map<String, Point> points = fx.points();
        Map<String, String> sessions = fx.sessionTable();
        Map<Long, String> writtenBack = fx.writtenBack();

        Map<String, Object> second = fx.runToCompletion(backfill(collection, 2));
        assertThat(((Number) second.get(WriteBackCounter.WRITE_BACK_POINTS_UPSERTED)).longValue())
                .as("nothing embedded or written again")
                .isZero();
        assertThat(((Number) second.get(WriteBackCounter.WRITE_BACK_POINTS_DELETED)).longValue())
                .isZero();
        assertSamePoints(fx.points(), points, "second run");
        assertThat(fx.sessionTable())
                .as("message_sessions, indexed_at included")
                .isEqualTo(sessions);
        assertThat(fx.writtenBack()).isEqualTo(writtenBack);
    }

    private boolean sessionRowsEmpty() {
        try {
            return fx.sessionTable().isEmpty();
        } catch (java.sql.SQLException e) {
            return true;
        }
    }

    @Test
    void theStreamingJobTakesOverWithoutReEmbeddingWhatTheBackfillIndexed() throws Exception {
        java.util.concurrent.ExecutorService background =
                java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<Map<String, Object>> run =
                background.submit(() -> fx.runToCompletion(backfill(fx.collection, 2)));
        // Changed while the backfill runs: it has read every row (BATCH sorts all input before the
        // sessionizer runs) and is writing points, so it indexes the old versions.
        IndexerFixture.await(
                "the backfill writing points",
                Duration.ofMinutes(3),
                () -> run.isDone() || !sessionRowsEmpty(),
                () -> "no point written yet");
        SyntheticChat.Message edited = DATA.messages().get(100);
        SyntheticChat.Message deleted = DATA.messages().get(400);
        fx.update(
                "UPDATE messages SET content = 'edited during the backfill' WHERE id = ?",
                edited.id());
        fx.update("UPDATE messages SET is_deleted = true WHERE id = ?", deleted.id());
        assertThat(run.isDone())
                .as("the backfill was still running when the changes were made")
                .isFalse();
        Map<String, Object> backfilled = run.get(5, java.util.concurrent.TimeUnit.MINUTES);
        background.shutdown();
        long points =
                ((Number) backfilled.get(WriteBackCounter.WRITE_BACK_POINTS_UPSERTED)).longValue();
        Map<String, Point> before = fx.points();
        assertThat(before).hasSize((int) points);
        assertThat(before.values())
                .noneMatch(p -> p.content().contains("edited during the backfill"));

        fx.start();
        fx.awaitVerifiedClean();
        // A point is written after its text is embedded, so once the index is clean the counter
        // (read live
        // from the reporter) holds every embedding that made it so.
        long afterStart = textsEmbedded();
        // an edit or delete may regroup its stretch's conversations (a rule reads words), so count
        // the points that are new or hold other messages or text now
        Map<String, Point> after = fx.points();
        long changed =
                after.entrySet().stream()
                        .filter(
                                e -> {
                                    Point was = before.get(e.getKey());
                                    return was == null
                                            || !was.messageIds().equals(e.getValue().messageIds())
                                            || !was.content().equals(e.getValue().content());
                                })
                        .count();
        assertThat(changed).as("points the edit and the delete changed").isPositive();
        assertThat(afterStart)
                .as("only the changed points are embedded again, not the %d indexed", points)
                .isEqualTo(changed)
                .isLessThan(points / 4);

        // and a change while it streams
        SyntheticChat.Message later = DATA.messages().get(250);
        fx.update(
                "UPDATE messages SET content = 'edited while streaming' WHERE id = ?", later.id());
        IndexerFixture.await(
                "the streamed edit indexed",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        return fx.points().values().stream()
                                .anyMatch(p -> p.content().contains("edited while streaming"));
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "not yet");
        assertThat(fx.awaitVerifiedClean().out()).startsWith("verify: clean");
        assertThat(textsEmbedded())
                .as("one more: the streamed edit's session")
                .isEqualTo(afterStart + 1);
    }

    private long textsEmbedded() {
        return ReportedMetrics.counter(
                METRICS, fx.jobId(), StreamingPipeline.NAME_EMBED, "textsEmbedded");
    }
}
