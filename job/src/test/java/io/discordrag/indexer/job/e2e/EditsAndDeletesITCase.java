package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Edits and deletes reach the index and the write-back (issue 6: S5, S6): once processed, no point
 * holds a deleted message or pre-edit text; and the commit-to-Qdrant lag is recorded per change
 * type. How long that takes is measured by the lag benchmark, not asserted here.
 */
class EditsAndDeletesITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster(METRICS);

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private IndexerFixture fx;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(11, 1, "general");
        fx.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static Instant at(int minutes) {
        return T0.plusSeconds(60L * minutes);
    }

    private static String id(long first) {
        return PointIds.forChunk(1, 11, first).toString();
    }

    @Test
    void s5AnEditedIndexedMessageIsReEmbeddedUnderTheSamePointId() throws Exception {
        fx.message(1, 1, 11, 1, "the staging password is hunter2", at(0));
        fx.message(2, 1, 11, 2, "please do not paste passwords here", at(1));
        Point before = fx.awaitPointIds(java.util.Set.of(id(1))).get(id(1));
        assertThat(before.content()).contains("hunter2");

        fx.update(
                "UPDATE messages SET content = 'the staging password is in the vault' WHERE id = 1");
        Map<String, Point>[] last = new Map[1];
        IndexerFixture.await(
                "edit indexed",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        last[0] = fx.points();
                        Point p = last[0].get(id(1));
                        return last[0].size() == 1
                                && p != null
                                && p.content().contains("in the vault");
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> String.valueOf(last[0]));
        Point after = last[0].get(id(1));
        assertThat(after.messageIds()).containsExactly(1L, 2L);
        assertThat(after.vector()).isNotEqualTo(before.vector());
        assertThat(fx.points().values()).noneMatch(p -> p.content().contains("hunter2"));
        assertThat(fx.writtenBack()).containsEntry(1L, id(1)).containsEntry(2L, id(1));
        assertLagRecorded("insert");
        assertLagRecorded("edit");
    }

    /**
     * The commit-to-Qdrant lag histogram of this change type gets values (read live from the
     * reporter; the writer records them once it has Qdrant's acknowledgement, just after the points
     * changed).
     */
    private void assertLagRecorded(String type) throws Exception {
        IndexerFixture.await(
                LAG + " of " + type + " recorded",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> lagCount(type) > 0,
                () -> "none yet");
    }

    private long lagCount(String type) {
        long count = 0;
        for (ReportedMetrics.Reported r : ReportedMetrics.of(METRICS, fx.jobId())) {
            boolean lag =
                    r.name().equals(LAG + "." + type) // a subgroup per type
                            || (r.name().equals(LAG)
                                    && r.labels().containsValue(type)); // a label per type
            if (lag && r.metric() instanceof Histogram h) {
                count += h.getCount();
            }
        }
        return count;
    }

    private static final String LAG = "commitToQdrantLagMs";

    @Test
    void s6SoftAndHardDeletesShrinkOrRemoveTheSessionPoint() throws Exception {
        fx.message(1, 1, 11, 1, "first: secret plan", at(0));
        fx.message(2, 1, 11, 2, "second: sounds good", at(1));
        fx.message(3, 1, 11, 1, "third: let's go", at(2));
        fx.message(4, 1, 11, 2, "fourth: done", at(3));
        fx.awaitPointIds(java.util.Set.of(id(1)));

        // soft delete of the first message: the session's first message changes, so does its point
        // id
        fx.update("UPDATE messages SET is_deleted = true WHERE id = 1");
        Point shrunk = awaitOnly(id(2), List.of(2L, 3L, 4L));
        assertThat(shrunk.content()).doesNotContain("secret plan");
        awaitWriteBack(Map.of(2L, id(2), 3L, id(2), 4L, id(2)));

        // hard delete of another: re-embedded without it
        fx.update("DELETE FROM messages WHERE id = 3");
        Point smaller = awaitOnly(id(2), List.of(2L, 4L));
        assertThat(smaller.content()).doesNotContain("let's go");
        awaitWriteBack(Map.of(2L, id(2), 4L, id(2)));

        // a delete in a 2-message session leaves one message: below min-messages, the point goes
        fx.update("DELETE FROM messages WHERE id = 4");
        fx.awaitPointIds(java.util.Set.of());
        awaitWriteBack(Map.of());
        assertThat(fx.sessionRows()).isEmpty();
        assertThat(fx.points().values()).isEmpty();
        assertLagRecorded("delete");
    }

    private Point awaitOnly(String pointId, List<Long> members) throws Exception {
        Map<String, Point>[] last = new Map[1];
        IndexerFixture.await(
                pointId + " = " + members,
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        last[0] = fx.points();
                        return last[0].size() == 1
                                && last[0].containsKey(pointId)
                                && last[0].get(pointId).messageIds().equals(members);
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> String.valueOf(last[0]));
        return last[0].get(pointId);
    }

    /** Waits until exactly these messages carry these point ids and message_sessions matches. */
    private void awaitWriteBack(Map<Long, String> expected) throws Exception {
        String[] last = new String[1];
        IndexerFixture.await(
                "write-back " + expected,
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        Map<Long, String> wb = new TreeMap<>(fx.writtenBack());
                        wb.values().removeIf(Objects::isNull);
                        Map<String, List<Long>> rows = fx.sessionRows();
                        last[0] = wb + " / " + rows;
                        boolean rowsMatch =
                                rows.keySet().equals(new java.util.HashSet<>(expected.values()));
                        return wb.equals(new TreeMap<>(expected)) && rowsMatch;
                    } catch (Exception e) {
                        last[0] = e.toString();
                        return false;
                    }
                },
                () -> last[0]);
    }
}
