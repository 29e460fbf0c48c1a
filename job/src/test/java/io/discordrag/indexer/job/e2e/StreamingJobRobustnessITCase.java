package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.IndexerFixture.Msg;
import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.SessionTextRenderer;
import io.discordrag.indexer.job.session.Sessionizer;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.TextTokenizer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming job under load and odd input: a 5,000-message session without a pause (S7), its own
 * write-back flowing back through CDC (S9, with the job's metrics read through the REST API), and
 * bad rows (S11).
 */
class StreamingJobRobustnessITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster();

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final String INTERPRET = "Interpret_message_changes.";
    private static final String SESSIONIZE = "Sessionize_per_channel.";
    private static final String EMBED = "Embed_chunks.";
    private static final String COUNT_WRITE_BACK = "Count_write-back.";
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private IndexerFixture fx;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void s7FiveThousandMessagesWithoutAGapBecomeChunksWithinTheTokenBudget() throws Exception {
        String[] names = {"Alice", "Bob", "Carol", "Dan"};
        for (int u = 0; u < names.length; u++) {
            fx.user(u + 1, names[u].toLowerCase(), names[u]);
        }
        fx.channel(71, 7, "busy");
        Random random = new Random(7);
        String[] words = {
            "deploy", "the", "cache", "is", "warm", "again", "who", "broke", "staging", "lol", "ok",
            "let's", "ship", "it", "after", "lunch", "tests", "are", "green", "now"
        };
        List<Msg> messages = new ArrayList<>();
        Map<Long, SessionMessage> byId = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 12);
            for (int w = 0; w < n; w++) {
                text.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            long id = 700_000 + i;
            int author = 1 + random.nextInt(4);
            Instant time =
                    T0.plusSeconds(
                            10L * i); // a message every 10 s for 14 hours: never a 15-minute gap
            messages.add(new Msg(id, 7, 71, author, text.toString(), time));
            byId.put(id, new SessionMessage(id, author, names[author - 1], time, text.toString()));
        }
        fx.start();
        fx.messages(messages);

        Map<String, Point>[] last = new Map[1];
        IndexerFixture.await(
                "every message covered once",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        last[0] = fx.points();
                        List<Long> covered =
                                last[0].values().stream()
                                        .flatMap(p -> p.messageIds().stream())
                                        .toList();
                        return covered.size() == 5000 && new HashSet<>(covered).size() == 5000;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> last[0] == null ? "none" : last[0].size() + " points");
        List<Point> chunks = new ArrayList<>(last[0].values());
        chunks.sort(Comparator.comparingInt(Point::chunk));

        assertThat(chunks.size()).as("chunks").isGreaterThan(100);
        Set<Long> covered = new HashSet<>();
        try (TextTokenizer tokenizer =
                TextTokenizer.load(ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL))) {
            for (int c = 0; c < chunks.size(); c++) {
                Point p = chunks.get(c);
                assertThat(p.chunk()).isEqualTo(c);
                assertThat(p.id())
                        .isEqualTo(PointIds.forChunk(7, 71, p.messageIds().get(0)).toString());
                List<SessionMessage> members = p.messageIds().stream().map(byId::get).toList();
                int tokens = tokenizer.countTokens(SessionTextRenderer.render("busy", members));
                if (members.size() > 1) {
                    assertThat(tokens).as("tokens of chunk %d", c).isLessThanOrEqualTo(256);
                }
                assertThat(covered.addAll(p.messageIds())).isTrue();
            }
        }
        // chunks follow each other in time: chunk c ends before chunk c+1 starts
        for (int c = 1; c < chunks.size(); c++) {
            List<Long> prev = chunks.get(c - 1).messageIds();
            assertThat(prev.get(prev.size() - 1)).isLessThan(chunks.get(c).messageIds().get(0));
        }
        assertThat(covered).hasSize(5000);
    }

    @Test
    void s9WriteBackFlowingBackThroughCdcNeverReEmbeds(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        String rest = cluster.getWebInterfaceURL();
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        fx.channel(91, 9, "general");
        fx.start();
        for (int i = 0; i < 6; i++) {
            fx.message(
                    9000 + i,
                    9,
                    91,
                    1 + i % 2,
                    "message " + i,
                    T0.plusSeconds(60L * i + (i >= 3 ? 3600 : 0)));
        }
        String a = PointIds.forChunk(9, 91, 9000).toString();
        String b = PointIds.forChunk(9, 91, 9003).toString();
        fx.awaitPointIds(Set.of(a, b));
        IndexerFixture.await(
                "write-back of 6 messages",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        return fx.writtenBack().values().stream().filter(v -> v != null).count()
                                == 6;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "");
        // The 6 write-back UPDATEs come back through CDC and are recognised as the job's own.
        IndexerFixture.await(
                "write-back seen through CDC",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> metric(rest, INTERPRET + ChangeInterpreter.WRITE_BACK_IGNORED) >= 6,
                () ->
                        "writeBackIgnored="
                                + metric(rest, INTERPRET + ChangeInterpreter.WRITE_BACK_IGNORED));
        long embedded = metric(rest, EMBED + "textsEmbedded");
        assertThat(embedded).as("texts embedded for two sessions").isEqualTo(2);
        Thread.sleep(3000); // several flush delays, idle timeouts and checkpoints later ...
        assertThat(metric(rest, EMBED + "textsEmbedded"))
                .as("texts embedded after the write-back")
                .isEqualTo(embedded);

        // The other metrics a user watches, read back through the REST API.
        // changes read, per kind: Flink CDC's own per-table counters on the source
        assertThat(fx.metricEndingWith(rest, ".table.messages.numInsertDMLRecords")).isEqualTo(6);
        assertThat(fx.metricEndingWith(rest, ".table.messages.numUpdateDMLRecords"))
                .isGreaterThanOrEqualTo(6);
        assertThat(metric(rest, SESSIONIZE + "sessionsEmitted")).isEqualTo(2);
        assertThat(metric(rest, SESSIONIZE + Sessionizer.POINT_UPSERTS_PLANNED)).isEqualTo(2);
        assertThat(metric(rest, COUNT_WRITE_BACK + "writeBackMessageRows")).isEqualTo(6);
        assertThat(metric(rest, COUNT_WRITE_BACK + "writeBackSessions")).isEqualTo(2);
        assertThat(metric(rest, "Qdrant_sink__Writer.numRecordsSend"))
                .as("Qdrant sink records")
                .isGreaterThanOrEqualTo(2);
        // histograms: the REST API shows their statistics (_min, _max, _mean, _p99, ...)
        assertThat(fx.metric(rest, SESSIONIZE + "messagesPerSession_max", "max")).isEqualTo(3);
        assertThat(fx.metric(rest, SESSIONIZE + "chunksPerSession_max", "max")).isEqualTo(1);
        assertThat(fx.metric(rest, SESSIONIZE + "channelClockLagMs_max", "max"))
                .as("the channel clock is years behind: the messages are from 2024")
                .isGreaterThan(Duration.ofDays(100).toMillis());
        assertThat(metric(rest, INTERPRET + "reason.emptyContent.rowsSkipped")).isZero();
    }

    private long metric(String rest, String name) {
        try {
            return fx.metric(rest, name);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void s11BadRowsAreCountedAndLoggedAndTheJobKeepsIndexing(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        String rest = cluster.getWebInterfaceURL();
        fx.user(1, "alice", "Alice");
        fx.channel(61, 6, "general");
        fx.channel(63, 6, "after");
        try (LogCapture log = LogCapture.of(ChangeInterpreter.class)) {
            fx.start();
            fx.message(6100, 6, 61, 1, "good morning", at(0));
            fx.message(6101, 6, 61, 1, null, at(1));
            fx.message(6102, 6, 61, 1, "", at(2));
            fx.message(
                    6103,
                    6,
                    61,
                    1,
                    "the quick brown fox jumps over the lazy dog ".repeat(2400),
                    at(3)); // 100 KB
            fx.message(6104, 6, 61, 99, "I have no users row", at(4));
            fx.message(6105, 6, 61, 1, "from the future", Instant.now().plus(Duration.ofDays(2)));
            fx.message(
                    6106, 6, 61, 1, "from before Discord", Instant.parse("2010-01-01T00:00:00Z"));
            fx.message(
                    6107,
                    6,
                    61,
                    1,
                    "deploy done \uD83D\uDE80 \uD835\uDD18\uD835\uDD2B\uD835\uDD26",
                    at(5));
            fx.message(6108, 6, 61, 1, "broken \uD800 text", at(6));
            fx.message(6109, 6, 61, 1, "good night", at(7));
            fx.message(6200, 6, 62, 1, "channel without a row", at(0));
            fx.message(6201, 6, 62, 1, "still no row", at(1));
            fx.message(6600, 66, 660, 1, "a guild never seen", at(0));
            fx.message(6601, 66, 660, 1, "hello?", at(1));
            fx.update("UPDATE messages SET content = content WHERE id = 6100"); // a change that
            // changes nothing

            IndexerFixture.await(
                    "bad rows counted",
                    IndexerFixture.CONVERGENCE_TIMEOUT,
                    () ->
                            metric(rest, INTERPRET + "reason.emptyContent.rowsSkipped") == 2
                                    && metric(
                                                    rest,
                                                    INTERPRET
                                                            + "reason.timestampOutOfRange.rowsSkipped")
                                            == 2
                                    && metric(
                                                    rest,
                                                    INTERPRET
                                                            + "reason.contentTruncated.rowsRepaired")
                                            == 1
                                    && metric(rest, INTERPRET + "reason.unknownAuthor.rowsRepaired")
                                            == 1
                                    && metric(
                                                    rest,
                                                    INTERPRET
                                                            + "reason.unknownChannel.rowsRepaired")
                                            == 4
                                    && metric(rest, INTERPRET + "reason.unknownGuild.rowsRepaired")
                                            == 2
                                    && metric(rest, SESSIONIZE + "duplicateChanges") >= 1,
                    () ->
                            "emptyContent="
                                    + metric(rest, INTERPRET + "reason.emptyContent.rowsSkipped")
                                    + " timestamp="
                                    + metric(
                                            rest,
                                            INTERPRET + "reason.timestampOutOfRange.rowsSkipped")
                                    + " truncated="
                                    + metric(
                                            rest,
                                            INTERPRET + "reason.contentTruncated.rowsRepaired")
                                    + " unknownAuthor="
                                    + metric(rest, INTERPRET + "reason.unknownAuthor.rowsRepaired")
                                    + " unknownChannel="
                                    + metric(rest, INTERPRET + "reason.unknownChannel.rowsRepaired")
                                    + " unknownGuild="
                                    + metric(rest, INTERPRET + "reason.unknownGuild.rowsRepaired")
                                    + " duplicates="
                                    + metric(rest, SESSIONIZE + "duplicateChanges"));

            // The job keeps running and indexing.
            fx.message(6300, 6, 63, 1, "still indexing?", at(0));
            fx.message(6301, 6, 63, 1, "yes", at(1));
            String after = PointIds.forChunk(6, 63, 6300).toString();
            Map<String, Point>[] last = new Map[1];
            Set<Long> indexable =
                    Set.of(
                            6100L, 6103L, 6104L, 6107L, 6108L, 6109L, 6200L, 6201L, 6600L, 6601L,
                            6300L, 6301L);
            IndexerFixture.await(
                    "good rows indexed",
                    IndexerFixture.CONVERGENCE_TIMEOUT,
                    () -> {
                        try {
                            last[0] = fx.points();
                            List<Long> covered =
                                    last[0].values().stream()
                                            .flatMap(p -> p.messageIds().stream())
                                            .toList();
                            return last[0].containsKey(after)
                                    && covered.size() == indexable.size()
                                    && new HashSet<>(covered).equals(indexable);
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    () -> String.valueOf(last[0]));
            assertThat(fx.status()).isEqualTo(JobStatus.RUNNING);

            Map<String, Point> points = last[0];
            Point truncated = pointWith(points, 6103);
            assertThat(truncated.content().length()).isLessThanOrEqualTo(1000);
            assertThat(pointWith(points, 6104).content())
                    .contains("[user 99 @ 2024-05-01 10:04]: I have no users row");
            assertThat(pointWith(points, 6107).content())
                    .contains("deploy done \uD83D\uDE80 \uD835\uDD18\uD835\uDD2B\uD835\uDD26");
            assertThat(pointWith(points, 6200).content()).startsWith("Conversation in #62:");
            assertThat(pointWith(points, 6600).guild()).isEqualTo(66);
            for (long skippedId : new long[] {6101, 6102, 6105, 6106}) {
                assertThat(log.lines())
                        .as("log line for message %s", skippedId)
                        .anyMatch(l -> l.startsWith("WARN Message " + skippedId + " "));
            }
            assertThat(log.lines())
                    .anyMatch(
                            l ->
                                    l.startsWith("WARN Message 6103 ")
                                            && l.contains("contentTruncated"));
            assertThat(log.lines())
                    .anyMatch(
                            l -> l.startsWith("WARN Message 6104 ") && l.contains("unknownAuthor"));
            assertThat(log.lines())
                    .anyMatch(
                            l -> l.startsWith("WARN Message 6600 ") && l.contains("unknownGuild"));
        }
    }

    private static Point pointWith(Map<String, Point> points, long messageId) {
        return points.values().stream()
                .filter(p -> p.messageIds().contains(messageId))
                .findFirst()
                .orElseThrow();
    }

    private static Instant at(int minutes) {
        return T0.plusSeconds(60L * minutes);
    }
}
