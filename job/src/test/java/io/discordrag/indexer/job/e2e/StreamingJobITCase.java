package io.discordrag.indexer.job.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The streaming job end to end: live chat in several guilds and channels (S1). */
class StreamingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(fastMetrics())
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    @RegisterExtension static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();
    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private IndexerFixture fx;

    static Configuration fastMetrics() {
        Configuration c = new Configuration();
        c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, java.time.Duration.ofMillis(500));
        return c;
    }

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        POSTGRES.truncateAll();
        fx = new IndexerFixture(POSTGRES, QDRANT.target(), QDRANT.client(), test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    static Instant at(int minutes) {
        return T0.plusSeconds(60L * minutes);
    }

    static String id(long guild, long channel, long firstMessage) {
        return PointIds.forChunk(guild, channel, firstMessage).toString();
    }

    @Test
    void s1LiveChatInSeveralGuildsAndChannels() throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", null);
        fx.channel(11, 1, "general");
        fx.channel(12, 1, "random");
        fx.channel(21, 2, "lobby");
        fx.start();

        fx.message(101, 1, 11, 1, "anyone tried the new deploy script?", at(0));
        fx.message(102, 1, 11, 2, "yes, it failed on the migrations step", at(2));
        fx.message(201, 1, 12, 2, "lunch?", at(0));
        fx.message(103, 1, 11, 1, "same here, rolling back", at(5));
        fx.message(202, 1, 12, 1, "sure, 12:30", at(3));
        fx.message(301, 2, 21, 1, "welcome to the lobby", at(1));
        fx.message(302, 2, 21, 2, "thanks!", at(4));
        fx.message(104, 1, 11, 2, "migrations fixed, deploying again", at(40)); // gap > 15 min: new session
        fx.message(105, 1, 11, 1, "works now", at(41));
        fx.message(203, 1, 12, 2, "anyone still hungry?", at(120)); // alone: below min-messages

        String a = id(1, 11, 101);
        String b = id(1, 11, 104);
        String c = id(1, 12, 201);
        String d = id(2, 21, 301);
        Map<String, Point> points = fx.awaitPointIds(Set.of(a, b, c, d));

        assertThat(points.get(a).messageIds()).containsExactly(101L, 102L, 103L);
        assertThat(points.get(a).content()).isEqualTo("Conversation in #general:\n"
                + "[Alice @ 2024-05-01 10:00]: anyone tried the new deploy script?\n"
                + "[bob @ 2024-05-01 10:02]: yes, it failed on the migrations step\n"
                + "[Alice @ 2024-05-01 10:05]: same here, rolling back");
        assertThat(points.get(a).guild()).isEqualTo(1);
        assertThat(points.get(a).channel()).isEqualTo(11);
        assertThat(points.get(b).messageIds()).containsExactly(104L, 105L);
        assertThat(points.get(c).messageIds()).containsExactly(201L, 202L);
        assertThat(points.get(c).content()).startsWith("Conversation in #random:\n[bob @ 2024-05-01 10:00]: lunch?");
        assertThat(points.get(d).guild()).isEqualTo(2);
        assertThat(points.get(d).messageIds()).containsExactly(301L, 302L);
        for (Point p : points.values()) {
            assertThat(p.vector()).hasSize(384);
        }

        Map<Long, String> expectedWriteBack = new java.util.TreeMap<>(Map.of(101L, a, 102L, a, 103L, a, 104L, b,
                105L, b, 201L, c, 202L, c, 301L, d, 302L, d));
        IndexerFixture.await("write-back", IndexerFixture.CONVERGENCE_TIMEOUT, () -> {
            try {
                Map<Long, String> wb = fx.writtenBack();
                return wb.entrySet().stream().filter(e -> e.getValue() != null).count() == 9
                        && wb.entrySet().containsAll(expectedWriteBack.entrySet());
            } catch (Exception e) {
                return false;
            }
        }, () -> {
            try {
                return fx.writtenBack().toString();
            } catch (Exception e) {
                return e.toString();
            }
        });
        assertThat(fx.writtenBack().get(203L)).as("a message of a below-minimum session is not indexed").isNull();
        assertThat(fx.sessionRows()).isEqualTo(Map.of(a, List.of(101L, 102L, 103L), b, List.of(104L, 105L),
                c, List.of(201L, 202L), d, List.of(301L, 302L)));
    }
}
