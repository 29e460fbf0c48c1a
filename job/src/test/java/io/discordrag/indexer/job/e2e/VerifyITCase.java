package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.IndexerFixture.VerifyRun;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.job.verify.Finding.Kind;
import io.discordrag.indexer.job.verify.VerifyCommand;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.grpc.JsonWithInt.Value;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@code verify} (issue 6): clean on an index the job built, and each kind of inconsistency it
 * claims to detect is found, with its ids, when planted by hand in Qdrant or Postgres.
 */
class VerifyITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster();

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private IndexerFixture fx;
    private Map<String, String> options;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        options = fx.options();
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static Instant at(double minutes) {
        return T0.plusSeconds(Math.round(60 * minutes));
    }

    private static String id(long guild, long channel, long first) {
        return PointIds.forChunk(guild, channel, first).toString();
    }

    private VerifyRun verify(Long guild) {
        return fx.verify(options, guild);
    }

    /**
     * Guild 1: #general with sessions A (1-3), B (4-5), C (6-7), F (30-31); #random with D (8-9)
     * and a lone 10. Guild 2: E (20-21).
     */
    private void indexSampleGuilds() throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", null);
        fx.channel(11, 1, "general");
        fx.channel(12, 1, "random");
        fx.channel(21, 2, "lobby");
        fx.start();
        fx.message(1, 1, 11, 1, "has anyone tried the new release", at(0));
        fx.message(2, 1, 11, 2, "yes, the upgrade went fine", at(2));
        fx.message(3, 1, 11, 1, "great, upgrading tonight", at(3));
        fx.message(4, 1, 11, 2, "lunch anyone?", at(60));
        fx.message(5, 1, 11, 1, "sure, 12:30", at(61));
        fx.message(6, 1, 11, 1, "the build is red again", at(120));
        fx.message(40, 1, 11, 2, "flaky test, ignore", at(121));
        fx.update("UPDATE messages SET is_deleted = true WHERE id = 40");
        fx.message(7, 1, 11, 2, "fixed it", at(122));
        fx.message(30, 1, 11, 1, "who is on call", at(200));
        fx.message(31, 1, 11, 2, "me this week", at(201));
        fx.message(8, 1, 12, 1, "cat pictures go here", at(0));
        fx.message(9, 1, 12, 2, "noted", at(1));
        fx.message(10, 1, 12, 1, "a lone message, below the session minimum", at(300));
        fx.message(20, 2, 21, 1, "welcome to the other guild", at(0));
        fx.message(21, 2, 21, 2, "thanks", at(1));
        fx.awaitVerifiedClean();
        fx.stopJob();
    }

    @Test
    void anIndexBuiltByTheJobVerifiesCleanPerGuildAndAsAWhole() throws Exception {
        indexSampleGuilds();
        VerifyRun all = verify(null);
        all.assertExit(VerifyCommand.CLEAN);
        assertThat(all.out())
                .startsWith("verify: clean")
                .contains("15 messages in 3 channels of 2 guilds, 6 points checked");
        verify(1L).assertExit(VerifyCommand.CLEAN);
        VerifyRun two = verify(2L);
        two.assertExit(VerifyCommand.CLEAN);
        assertThat(two.out()).contains("2 messages in 1 channels of 1 guilds, 1 points checked");
    }

    @Test
    void markupIsRenderedNeverASnowflakeAndARenameOfAMentionedUserStaysClean(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        fx.user(100000000000000001L, "alice", "Alice");
        fx.user(100000000000000002L, "bob", null);
        fx.channel(11, 1, "general");
        fx.channel(21, 2, "lobby");
        options.put("lookup.cache-ttl", "1 s"); // so the edit below sees the rename
        fx.start(options);
        StringBuilder crowded = new StringBuilder();
        while (crowded.length() < 1950) {
            crowded.append("<@100000000000000002> <@!100000000000000009> ");
        }
        fx.message(
                1,
                1,
                11,
                100000000000000001L,
                "<@100000000000000002> did you see <#11>? <:blobcat:300000000000000001>",
                at(0));
        fx.message(
                2,
                1,
                11,
                100000000000000002L,
                "<@!100000000000000001> yes, at <t:1700000000:t>",
                at(1));
        fx.message(
                3,
                1,
                11,
                100000000000000002L,
                "<@100000000000000009> <#21> <@&400000000000000001> <@12x> <t:soon>",
                at(2));
        fx.message(4, 1, 11, 100000000000000001L, crowded.toString(), at(3));
        fx.awaitVerifiedClean();

        Map<String, IndexerFixture.Point> points = fx.points();
        assertThat(points.values())
                .extracting(IndexerFixture.Point::messageIds)
                .as("the crowded message fills a chunk of its own")
                .containsExactlyInAnyOrder(List.of(1L, 2L, 3L), List.of(4L));
        String content =
                String.join(
                        "\n", points.values().stream().map(IndexerFixture.Point::content).toList());
        assertThat(content)
                .contains("[Alice @ 2024-05-01 10:00]: @bob did you see #general? :blobcat:")
                .contains("[bob @ 2024-05-01 10:01]: @Alice yes, at 2023-11-14 22:13 UTC")
                .contains(
                        "[bob @ 2024-05-01 10:02]: @unknown-user #unknown-channel @role <@12x> <t:soon>")
                .contains("@bob @unknown-user @bob @unknown-user");
        assertThat(java.util.regex.Pattern.compile("\\d{17,20}").matcher(content).find())
                .as("a snowflake in %s", content)
                .isFalse();
        String unknownMention = "Interpret_message_changes.reason.unknownMention.rowsRepaired";
        IndexerFixture.await(
                "the two messages with a mention of an unknown user or another guild's channel"
                        + " counted",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> metric(cluster, unknownMention) == 2,
                () -> unknownMention + "=" + metric(cluster, unknownMention));

        fx.update("UPDATE users SET global_name = 'Robert' WHERE id = 100000000000000002");
        verify(1L).assertExit(VerifyCommand.CLEAN);
        Thread.sleep(1_100); // the job's name cache expires
        fx.update(
                "UPDATE messages SET content = '<@100000000000000002> did you see it?' WHERE id = 1");
        fx.awaitVerifiedClean();
        assertThat(fx.points().get(id(1, 11, 1)).content())
                .as("the edited message names the user as renamed")
                .contains("[Alice @ 2024-05-01 10:00]: @Robert did you see it?");
    }

    @Test
    void conversationsStayExactThroughRepliesAcrossTheGapADeletedParentAndALateMerge()
            throws Exception {
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.user(3, "cy", "Cy");
        fx.user(4, "di", "Di");
        fx.channel(11, 1, "general");
        fx.start(options);
        // two conversations interleaved in one stretch of the channel
        fx.message(1, 1, 11, 1, "how do I rotate the api key?", at(0));
        fx.message(2, 1, 11, 3, "raid tonight at nine?", at(1));
        fx.reply(3, 1, 11, 2, "settings, then keys", at(2), 1);
        fx.reply(4, 1, 11, 4, "count me in", at(3), 2);
        // three hours later, past the gap: a reply to the key question
        fx.reply(5, 1, 11, 4, "did the rotation break the webhooks?", at(180), 1);
        fx.reply(6, 1, 11, 1, "no, they kept working", at(181), 5);
        fx.awaitVerifiedClean();
        Map<String, IndexerFixture.Point> points = fx.points();
        assertThat(points.values())
                .extracting(IndexerFixture.Point::messageIds)
                .containsExactlyInAnyOrder(List.of(1L, 3L), List.of(2L, 4L), List.of(5L, 6L));
        assertThat(points.get(id(1, 11, 5)).content())
                .contains(
                        "[Di @ 2024-05-01 13:00]: (reply to @Alice, 2024-05-01 10:00: \"how do I"
                                + " rotate the api key?\") did the rotation break the webhooks?");
        assertThat(points.get(id(1, 11, 1)).conversationId()).isEqualTo(1L);
        assertThat(points.get(id(1, 11, 2)).conversationId()).isEqualTo(2L);

        // a late message: Cy answered in the key thread a minute before the raid call, which
        // continues Cy's own turn, so the two conversations are one
        fx.reply(7, 1, 11, 3, "also restart the worker after it", at(0.5), 1);
        fx.awaitVerifiedClean();
        assertThat(fx.points().values())
                .extracting(IndexerFixture.Point::messageIds)
                .containsExactlyInAnyOrder(List.of(1L, 7L, 2L, 3L, 4L), List.of(5L, 6L));

        // the parent of the later reply edited, then deleted: the quote follows, then goes
        fx.update("UPDATE messages SET content = 'how do I rotate the key safely?' WHERE id = 1");
        fx.awaitVerifiedClean();
        assertThat(fx.points().get(id(1, 11, 5)).content()).contains("rotate the key safely?\")");
        fx.update("DELETE FROM messages WHERE id = 1");
        fx.awaitVerifiedClean();
        assertThat(fx.points().get(id(1, 11, 5)).content()).doesNotContain("(reply to");
    }

    /**
     * A live conversation is written while it is open and rewritten in place as it grows: its first
     * point keeps its id when the token budget moves a chunk boundary, no message is ever in two
     * points or in none, and closing it changes nothing that was written.
     */
    @Test
    void anOpenConversationIsWrittenAtOnceAndRewrittenInPlaceAsItGrowsAndCloses() throws Exception {
        options.put("session.idle-timeout", "10 min"); // only the channel's clock closes it here
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(11, 1, "general");
        fx.start(options);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        fx.message(1, 1, 11, 1, "is the deploy pipeline green again?", now);
        fx.message(2, 1, 11, 2, "yes, since the runner upgrade this morning", now.plusSeconds(5));
        fx.awaitVerifiedClean();
        assertThat(fx.points().values())
                .as("written while open (the idle timeout is 10 min away)")
                .extracting(IndexerFixture.Point::id, IndexerFixture.Point::messageIds)
                .containsExactly(tuple(id(1, 11, 1), List.of(1L, 2L)));

        List<Long> all = new ArrayList<>(List.of(1L, 2L));
        for (long m = 3; m <= 14; m++) {
            fx.message(
                    m,
                    1,
                    11,
                    1 + m % 2,
                    "step "
                            + m
                            + ": the runner pulls the image, warms the cache, runs the migration"
                            + " checks and then the integration suite against the staging database",
                    now.plusSeconds(5 * m));
            all.add(m);
        }
        fx.awaitVerifiedClean();
        Map<String, IndexerFixture.Point> grown = fx.points();
        assertThat(grown).as("past the token budget: more than one chunk").hasSizeGreaterThan(1);
        assertThat(grown.get(id(1, 11, 1)).messageIds()).startsWith(1L, 2L);
        List<Long> covered = new ArrayList<>();
        grown.values().forEach(p -> covered.addAll(p.messageIds()));
        assertThat(covered)
                .as("every message in exactly one point")
                .containsExactlyInAnyOrderElementsOf(all);
        assertThat(grown.values())
                .extracting(IndexerFixture.Point::conversationId)
                .containsOnly(1L);

        // a message more than the gap later closes it: nothing of it is written again
        fx.message(
                100,
                1,
                11,
                1,
                "new week, new topic: who has the pager?",
                now.plus(Duration.ofMinutes(20)));
        fx.message(101, 1, 11, 2, "me", now.plus(Duration.ofMinutes(21)));
        fx.awaitVerifiedClean();
        Map<String, IndexerFixture.Point> closed = fx.points();
        grown.forEach(
                (pointId, p) ->
                        assertThat(closed.get(pointId))
                                .as(pointId)
                                .usingRecursiveComparison()
                                .isEqualTo(p));
        assertThat(closed).containsKey(id(1, 11, 100)).hasSize(grown.size() + 1);
    }

    private long metric(ClusterClient<?> cluster, String name) {
        try {
            return fx.metric(cluster.getWebInterfaceURL(), name);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void eachPlantedInconsistencyIsReportedWithItsIds() throws Exception {
        indexSampleGuilds();
        var client = QDRANT.client();
        String a = id(1, 11, 1);
        String b = id(1, 11, 4);
        String c = id(1, 11, 6);
        String d = id(1, 12, 8);
        String e = id(2, 21, 20);
        String f = id(1, 11, 30);

        // UNCOVERED: B's point is gone
        client.deleteAsync(fx.collection, List.of(PointIdFactory.id(UUID.fromString(b)))).get();
        // STALE content: message 1 edited while nothing carried the edit to the index
        fx.update("UPDATE messages SET content = 'has anyone tried the new beta' WHERE id = 1");
        // STALE message ids: C still lists the deleted message 40
        setPayload(
                c,
                Map.of(
                        PayloadSchema.MESSAGE_IDS,
                        ValueFactory.list(
                                List.of(
                                        ValueFactory.value(6),
                                        ValueFactory.value(40),
                                        ValueFactory.value(7)))));
        // ORPHAN: both messages of D deleted (their write-back still names D: WRITE_BACK twice)
        fx.update("UPDATE messages SET is_deleted = true WHERE id IN (8, 9)");
        // WRONG_GUILD: E (guild 2's messages) says guild 1
        setPayload(e, Map.of(PayloadSchema.GUILD_ID, ValueFactory.value(1)));
        // WRITE_BACK: message 30's qdrant_point_id names another point
        fx.update("UPDATE messages SET qdrant_point_id = '" + a + "' WHERE id = 30");

        VerifyRun all = verify(null);
        all.assertExit(VerifyCommand.INCONSISTENT);
        assertThat(all.lists(Kind.UNCOVERED, b, "[4,5]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.STALE, a, "[1,2,3]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.STALE, c, "[6,40,7]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.ORPHAN, d, "[8,9]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.WRONG_GUILD, e, "[20,21]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.WRITE_BACK, f, "[30]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.WRITE_BACK, null, "[8]")).as(all.out()).isTrue();
        assertThat(all.lists(Kind.WRITE_BACK, null, "[9]")).as(all.out()).isTrue();
        assertThat(
                        all.count(Kind.UNCOVERED)
                                + all.count(Kind.STALE)
                                + all.count(Kind.ORPHAN)
                                + all.count(Kind.WRONG_GUILD)
                                + all.count(Kind.WRITE_BACK))
                .as("nothing else is reported: %s", all.out())
                .isEqualTo(8);
        assertThat(all.out())
                .contains(
                        "verify: 8 inconsistencies — uncovered 1 orphan 1 stale 2 wrong_guild 1 "
                                + "write_back 3");

        VerifyRun guild2 = verify(2L);
        guild2.assertExit(VerifyCommand.INCONSISTENT);
        assertThat(guild2.lists(Kind.WRONG_GUILD, e, "[20,21]")).as(guild2.out()).isTrue();
        assertThat(guild2.count(Kind.WRONG_GUILD)).as(guild2.out()).isEqualTo(1);
        assertThat(guild2.out().lines().filter(l -> !l.startsWith("verify:"))).hasSize(1);

        VerifyRun guild1 = verify(1L);
        assertThat(guild1.lists(Kind.WRONG_GUILD, e, "[20,21]"))
                .as(
                        "a point claiming guild 1 with another guild's messages is found from guild 1 too: %s",
                        guild1.out())
                .isTrue();
        assertThat(guild1.err())
                .as("progress and scope on stderr")
                .contains("verify: guild 1 of collection");
    }

    @Test
    void badArgumentsExitWithTwoAndAnUnreachableIndexWithThree() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(VerifyCommand.run(new String[] {"--guild", "general"}, out, errStream))
                .isEqualTo(VerifyCommand.BAD_ARGUMENTS);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("guild needs a numeric id (unsigned 64-bit), got 'general'");
        assertThat(VerifyCommand.run(new String[] {"--no-such-option", "1"}, out, errStream))
                .isEqualTo(VerifyCommand.BAD_ARGUMENTS);

        options.put("qdrant.collection", "no_such_collection");
        VerifyRun missing = verify(null);
        missing.assertExit(VerifyCommand.FAILED);
        assertThat(missing.err()).contains("verify: could not complete");
    }

    private void setPayload(String pointId, Map<String, Value> payload) throws Exception {
        QDRANT.client()
                .setPayloadAsync(
                        fx.collection,
                        payload,
                        PointIdFactory.id(UUID.fromString(pointId)),
                        true,
                        null,
                        null)
                .get();
    }
}
