package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming job end to end on the embedded Postgres, a MiniCluster and the Qdrant target: live
 * chat (S1), a history import beside a live channel (S2), shuffled arrival (S3), a bridging message
 * merging two emitted sessions (S4), and two guilds with the same channel id and texts (S10).
 */
class StreamingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster();

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private IndexerFixture fx;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
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
        fx.message(
                104,
                1,
                11,
                2,
                "migrations fixed, deploying again",
                at(40)); // gap > 15 min: new session
        fx.message(105, 1, 11, 1, "works now", at(41));
        fx.message(203, 1, 12, 2, "anyone still hungry?", at(120)); // alone: below min-messages

        String a = id(1, 11, 101);
        String b = id(1, 11, 104);
        String c = id(1, 12, 201);
        String d = id(2, 21, 301);
        Map<String, Point> points = fx.awaitPointIds(Set.of(a, b, c, d));

        assertThat(points.get(a).messageIds()).containsExactly(101L, 102L, 103L);
        assertThat(points.get(a).content())
                .isEqualTo(
                        "Conversation in #general:\n"
                                + "[Alice @ 2024-05-01 10:00]: anyone tried the new deploy script?\n"
                                + "[bob @ 2024-05-01 10:02]: yes, it failed on the migrations step\n"
                                + "[Alice @ 2024-05-01 10:05]: same here, rolling back");
        assertThat(points.get(a).guild()).isEqualTo(1);
        assertThat(points.get(a).channel()).isEqualTo(11);
        assertThat(points.get(b).messageIds()).containsExactly(104L, 105L);
        assertThat(points.get(c).messageIds()).containsExactly(201L, 202L);
        assertThat(points.get(c).content())
                .startsWith("Conversation in #random:\n[bob @ 2024-05-01 10:00]: lunch?");
        assertThat(points.get(d).guild()).isEqualTo(2);
        assertThat(points.get(d).messageIds()).containsExactly(301L, 302L);
        for (Point p : points.values()) {
            assertThat(p.vector()).hasSize(384);
        }

        Map<Long, String> expectedWriteBack =
                new java.util.TreeMap<>(
                        Map.of(
                                101L, a, 102L, a, 103L, a, 104L, b, 105L, b, 201L, c, 202L, c, 301L,
                                d, 302L, d));
        IndexerFixture.await(
                "write-back",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        Map<Long, String> wb = fx.writtenBack();
                        return wb.entrySet().stream().filter(e -> e.getValue() != null).count() == 9
                                && wb.entrySet().containsAll(expectedWriteBack.entrySet());
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> {
                    try {
                        return fx.writtenBack().toString();
                    } catch (Exception e) {
                        return e.toString();
                    }
                });
        assertThat(fx.writtenBack().get(203L))
                .as("a message of a below-minimum session is not indexed")
                .isNull();
        assertThat(fx.sessionRows())
                .isEqualTo(
                        Map.of(
                                a,
                                List.of(101L, 102L, 103L),
                                b,
                                List.of(104L, 105L),
                                c,
                                List.of(201L, 202L),
                                d,
                                List.of(301L, 302L)));
    }

    @Test
    void s2HistoryImportIntoOneChannelWhileAnotherStreamsLive() throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(41, 4, "live");
        fx.channel(42, 4, "imported");
        fx.start();

        // History: 10 sessions of 8 messages in 2019, one minute apart, sessions a day apart.
        Instant history = Instant.parse("2019-03-01T08:00:00Z");
        List<IndexerFixture.Msg> imported = new java.util.ArrayList<>();
        Map<String, List<Long>> expected = new java.util.HashMap<>();
        for (int s = 0; s < 10; s++) {
            List<Long> ids = new java.util.ArrayList<>();
            for (int m = 0; m < 8; m++) {
                long id = 420_000 + s * 100 + m;
                ids.add(id);
                imported.add(
                        new IndexerFixture.Msg(
                                id,
                                4,
                                42,
                                1 + m % 2,
                                "old message " + m + " of day " + s,
                                history.plus(java.time.Duration.ofDays(s)).plusSeconds(60L * m)));
            }
            expected.put(id(4, 42, ids.get(0)), ids);
        }
        // The bot imports newest first, in batches, while the live channel keeps talking in real
        // time.
        java.util.Collections.reverse(imported);
        List<Long> live = new java.util.ArrayList<>();
        for (int batch = 0; batch < 8; batch++) {
            fx.messages(imported.subList(batch * 10, batch * 10 + 10));
            long liveId = 410_000 + batch;
            fx.message(liveId, 4, 41, 1 + batch % 2, "live message " + batch, Instant.now());
            live.add(liveId);
            Thread.sleep(150);
        }
        expected.put(id(4, 41, live.get(0)), live);

        Map<String, Point> points = fx.awaitPointIds(expected.keySet());
        for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
            assertThat(points.get(e.getKey()).messageIds())
                    .as("point %s", e.getKey())
                    .containsExactlyElementsOf(e.getValue());
        }
        assertThat(points.get(id(4, 41, live.get(0))).content())
                .startsWith("Conversation in #live:\n");
        awaitWriteBack(expected);
    }

    @Test
    void s3ShuffledArrivalGivesTheSamePointsAsInOrder() throws Exception {
        List<IndexerFixture.Msg> conversation = new java.util.ArrayList<>();
        for (int s = 0; s < 3; s++) {
            for (int m = 0; m < 8; m++) {
                conversation.add(
                        new IndexerFixture.Msg(
                                3000 + s * 10 + m,
                                3,
                                31,
                                1 + (m % 3),
                                "message " + m + " in session " + s + " about the release",
                                at(s * 60 + m * 2)));
            }
        }
        Map<String, Point> inOrder = runConversation(conversation);
        assertThat(inOrder).hasSize(3);

        fx.close();
        POSTGRES.truncateAll();
        fx = new IndexerFixture(POSTGRES, QDRANT.target(), QDRANT.client(), "s3shuffled");
        List<IndexerFixture.Msg> shuffled = new java.util.ArrayList<>(conversation);
        java.util.Collections.shuffle(shuffled, new java.util.Random(42));
        Map<String, Point> fromShuffled = runConversation(shuffled);

        assertThat(fromShuffled.keySet()).isEqualTo(inOrder.keySet());
        for (String id : inOrder.keySet()) {
            Point a = inOrder.get(id);
            Point b = fromShuffled.get(id);
            assertThat(b.messageIds()).isEqualTo(a.messageIds());
            assertThat(b.content()).isEqualTo(a.content());
            assertThat(b.guild()).isEqualTo(a.guild());
            assertThat(b.channel()).isEqualTo(a.channel());
            assertThat(b.vector())
                    .containsExactly(a.vector(), org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    /**
     * Inserts the messages one transaction each, in the given order, and waits for the three
     * sessions.
     */
    private Map<String, Point> runConversation(List<IndexerFixture.Msg> messages) throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.user(3, "carol", null);
        fx.channel(31, 3, "releases");
        fx.start();
        for (IndexerFixture.Msg m : messages) {
            fx.message(m.id(), m.guild(), m.channel(), m.author(), m.content(), m.time());
        }
        Map<String, List<Long>> expected =
                Map.of(
                        id(3, 31, 3000),
                                List.of(3000L, 3001L, 3002L, 3003L, 3004L, 3005L, 3006L, 3007L),
                        id(3, 31, 3010),
                                List.of(3010L, 3011L, 3012L, 3013L, 3014L, 3015L, 3016L, 3017L),
                        id(3, 31, 3020),
                                List.of(3020L, 3021L, 3022L, 3023L, 3024L, 3025L, 3026L, 3027L));
        awaitPoints(expected);
        awaitWriteBack(expected);
        return fx.points();
    }

    @Test
    void s4BridgeMessageMergesTwoEmittedSessionsAndDeletesTheOldPoint() throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(51, 5, "ops");
        fx.start();
        fx.message(5001, 5, 51, 1, "disk alert on db-2", at(0));
        fx.message(5002, 5, 51, 2, "looking", at(5));
        fx.message(5003, 5, 51, 1, "alert again on db-2", at(30));
        fx.message(5004, 5, 51, 2, "cleaning the WAL archive", at(35));
        fx.message(5005, 5, 51, 1, "unrelated: standup moved", at(90));
        fx.message(5006, 5, 51, 2, "ok", at(91));
        String a = id(5, 51, 5001);
        String b = id(5, 51, 5003);
        String c = id(5, 51, 5005);
        awaitPoints(
                Map.of(
                        a,
                        List.of(5001L, 5002L),
                        b,
                        List.of(5003L, 5004L),
                        c,
                        List.of(5005L, 5006L)));
        awaitWriteBack(
                Map.of(
                        a,
                        List.of(5001L, 5002L),
                        b,
                        List.of(5003L, 5004L),
                        c,
                        List.of(5005L, 5006L)));

        // 10:18 is within 15 minutes of both 10:05 and 10:30: the two sessions become one.
        fx.message(5007, 5, 51, 2, "it was the archive filling up the disk", at(18));

        Map<String, List<Long>> merged =
                Map.of(a, List.of(5001L, 5002L, 5007L, 5003L, 5004L), c, List.of(5005L, 5006L));
        Map<String, Point> points = awaitPoints(merged);
        assertThat(points).doesNotContainKey(b);
        assertThat(points.get(a).content())
                .contains("it was the archive", "cleaning the WAL archive");
        awaitWriteBack(merged);
    }

    @Test
    void s10TwoGuildsWithTheSameChannelIdAndTextsNeverMix() throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(
                500, 7,
                "support"); // channel ids are unique in Postgres: guild 8's channel has no row
        fx.start();
        String[] texts = {
            "how do I reset my password?", "use the forgot password link", "thanks, that worked"
        };
        for (int i = 0; i < texts.length; i++) {
            fx.message(7000 + i, 7, 500, 1 + i % 2, texts[i], at(i));
            fx.message(8000 + i, 8, 500, 1 + i % 2, texts[i], at(i));
        }
        String g7 = id(7, 500, 7000);
        String g8 = id(8, 500, 8000);
        Map<String, Point> points =
                awaitPoints(
                        Map.of(g7, List.of(7000L, 7001L, 7002L), g8, List.of(8000L, 8001L, 8002L)));
        assertThat(g7).isNotEqualTo(g8);
        assertThat(points.get(g7).guild()).isEqualTo(7);
        assertThat(points.get(g8).guild()).isEqualTo(8);
        assertThat(points.get(g8).content())
                .as("guild 8 never sees guild 7's channel name")
                .startsWith("Conversation in #500:")
                .doesNotContain("support");

        try (io.discordrag.indexer.udf.model.EmbeddingModel model =
                io.discordrag.indexer.udf.model.EmbeddingModel.load(
                        io.discordrag.indexer.udf.model.ModelRegistry.builtIn("all-MiniLM-L6-v2"),
                        1)) {
            io.discordrag.indexer.job.search.SessionSearch search =
                    new io.discordrag.indexer.job.search.SessionSearch(
                            QDRANT.client(), fx.collection, model::embed);
            for (long guild : new long[] {7, 8}) {
                var hits =
                        search.search(
                                io.discordrag.indexer.job.search.SearchRequest.builder(
                                                guild, "password reset")
                                        .limit(10)
                                        .build());
                assertThat(hits).as("guild %s", guild).isNotEmpty();
                assertThat(hits).allSatisfy(h -> assertThat(h.guildId()).isEqualTo(guild));
            }
        }
    }

    private Map<String, Point> awaitPoints(Map<String, List<Long>> expected) throws Exception {
        Map<String, Point>[] last = new Map[1];
        IndexerFixture.await(
                "points " + expected,
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        last[0] = fx.points();
                        if (!last[0].keySet().equals(expected.keySet())) {
                            return false;
                        }
                        return expected.entrySet().stream()
                                .allMatch(
                                        e ->
                                                last[0].get(e.getKey())
                                                        .messageIds()
                                                        .equals(e.getValue()));
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> String.valueOf(last[0]));
        return last[0];
    }

    /**
     * Waits until messages.qdrant_point_id and message_sessions match the expected points exactly.
     */
    private void awaitWriteBack(Map<String, List<Long>> expected) throws Exception {
        Map<Long, String> byMessage = new java.util.TreeMap<>();
        expected.forEach((point, ids) -> ids.forEach(id -> byMessage.put(id, point)));
        Map<String, List<Long>> sorted = new java.util.TreeMap<>();
        expected.forEach((point, ids) -> sorted.put(point, ids.stream().sorted().toList()));
        String[] last = new String[1];
        IndexerFixture.await(
                "write-back " + expected,
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        Map<Long, String> wb = new java.util.TreeMap<>(fx.writtenBack());
                        wb.values().removeIf(java.util.Objects::isNull);
                        Map<String, List<Long>> rows = new java.util.TreeMap<>();
                        fx.sessionRows()
                                .forEach(
                                        (point, ids) ->
                                                rows.put(point, ids.stream().sorted().toList()));
                        last[0] = wb + " / " + rows;
                        return wb.equals(byMessage) && rows.equals(sorted);
                    } catch (Exception e) {
                        last[0] = e.toString();
                        return false;
                    }
                },
                () -> last[0]);
    }

    @Test
    void failsFastWithAClearMessageWhenAPrerequisiteIsMissing() {
        Map<String, String> options = fx.options();
        options.put("postgres.publication", "no_such_publication");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.start(options))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL is not ready for change data capture")
                .hasMessageContaining("no_such_publication");
    }
}
