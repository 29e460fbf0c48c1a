package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sessionizer operator in Flink's keyed test harness: the index it leaves behind (upserts
 * applied, deletes removed) depends only on the channel's messages — not on arrival order, flush
 * timing or other channels — and superseded points are deleted.
 */
class SessionizerTest {

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final SessionizerOptions OPTIONS =
            SessionizerOptions.builder()
                    .idleTimeout(Duration.ofSeconds(10))
                    .flushDelay(Duration.ofMillis(100))
                    .build();

    private static final EmbeddingOptions EMBEDDING =
            EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2).build();

    /**
     * Held for the whole class so each test's operator reuses the pooled model instead of loading
     * it.
     */
    private static EmbeddingModelPool.Lease pinned;

    private KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> harness;
    private long now;

    /** The index as a sink would leave it: point id → last upsert. */
    private final Map<String, ChunkUpdate> index = new TreeMap<>();

    private int upserts;
    private int deletes;

    /** Texts waiting at the embedder, as the operator under test sees it. */
    private int backlog;

    @BeforeAll
    static void pinModel() {
        pinned = EmbeddingModelPool.acquire(EMBEDDING);
    }

    @AfterAll
    static void unpinModel() {
        pinned.close();
    }

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
        now = 0;
        harness.setProcessingTime(now);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ChannelEvent, ChunkUpdate> newHarness()
            throws Exception {
        Sessionizer sessionizer = new Sessionizer(OPTIONS, EMBEDDING, null, false, false);
        sessionizer.embedderBacklog(() -> backlog);
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(sessionizer), ChannelEvent::channelKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static ChannelEvent msg(long guild, long channel, long id, int minute, String text) {
        return ChannelEvent.upsert(
                guild,
                channel,
                "general",
                new SessionMessage(
                        id, 1 + id % 3, "user" + id % 3, T0.plusSeconds(60L * minute), text),
                MessageChange.Kind.INSERT,
                0);
    }

    /** {@link #msg} that replies to {@code replyTo} (Discord's reply feature). */
    static ChannelEvent reply(
            long guild, long channel, long id, int minute, String text, long replyTo) {
        return ChannelEvent.upsert(
                guild,
                channel,
                "general",
                new SessionMessage(
                        id,
                        1 + id % 3,
                        "user" + id % 3,
                        T0.plusSeconds(60L * minute),
                        text,
                        replyTo,
                        null,
                        null),
                MessageChange.Kind.INSERT,
                0);
    }

    static ChannelEvent removal(long guild, long channel, long id) {
        return ChannelEvent.remove(
                guild, channel, "general", id, null, MessageChange.Kind.DELETE, 0);
    }

    private void send(ChannelEvent e) throws Exception {
        harness.processElement(e, 0);
        drain();
    }

    private void advance(long millis) throws Exception {
        now += millis;
        harness.setProcessingTime(now);
        drain();
    }

    private void drain() {
        for (ChunkUpdate u : harness.extractOutputValues()) {
            if (u.kind() == ChunkUpdate.Kind.UPSERT) {
                index.put(u.pointId(), u);
                upserts++;
            } else {
                assertThat(index)
                        .as("deleted point %s exists", u.pointId())
                        .containsKey(u.pointId());
                index.remove(u.pointId());
                deletes++;
            }
        }
        harness.getOutput().clear();
    }

    /** point id → message ids, the shape tests compare. */
    private Map<String, List<Long>> shape() {
        Map<String, List<Long>> out = new TreeMap<>();
        index.forEach(
                (id, u) -> out.put(id, java.util.Arrays.stream(u.messageIds()).boxed().toList()));
        return out;
    }

    private static String id(long guild, long channel, long first) {
        return PointIds.forChunk(guild, channel, first).toString();
    }

    /**
     * Three sessions (gaps of 30 and 60 minutes) of 3, 4 and 2 messages, plus a lone message (below
     * min).
     */
    static List<ChannelEvent> conversation() {
        List<ChannelEvent> events = new ArrayList<>();
        int[] minutes = {0, 3, 10, 40, 41, 45, 50, 110, 112, 200};
        for (int i = 0; i < minutes.length; i++) {
            events.add(msg(1, 10, 100 + i, minutes[i], "message " + i));
        }
        return events;
    }

    static final Map<String, List<Long>> EXPECTED =
            Map.of(
                    id(1, 10, 100), List.of(100L, 101L, 102L),
                    id(1, 10, 103), List.of(103L, 104L, 105L, 106L),
                    id(1, 10, 107), List.of(107L, 108L));

    @Test
    void inOrderArrivalIndexesClosedSessionsByClockAndTheLastOneOnIdle() throws Exception {
        List<ChannelEvent> events = conversation();
        for (ChannelEvent e : events.subList(0, 4)) {
            send(e);
        }
        advance(200);
        assertThat(shape())
                .as("the first session closed when the clock passed its end by the gap")
                .isEqualTo(Map.of(id(1, 10, 100), List.of(100L, 101L, 102L)));
        for (ChannelEvent e : events.subList(4, events.size())) {
            send(e);
        }
        advance(200);
        assertThat(shape()).hasSize(3).doesNotContainKey(id(1, 10, 109));
        advance(10_000);
        assertThat(shape())
                .as("the lone last message stays unindexed (min-messages 2)")
                .isEqualTo(EXPECTED);
        assertThat(deletes).isZero();
        assertThat(index.get(id(1, 10, 100)).text())
                .isEqualTo(
                        "Conversation in #general:\n"
                                + "[user1 @ 2024-05-01 10:00]: message 0\n[user2 @ 2024-05-01 10:03]: message 1\n"
                                + "[user0 @ 2024-05-01 10:10]: message 2");
    }

    @Test
    void anyArrivalOrderAndFlushTimingLeavesTheSameIndex() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            close();
            open();
            index.clear();
            List<ChannelEvent> events = new ArrayList<>(conversation());
            Random random = new Random(seed);
            Collections.shuffle(events, random);
            for (ChannelEvent e : events) {
                send(e);
                advance(
                        random.nextInt(3) == 0
                                ? 11_000
                                : random.nextInt(300)); // sometimes idle-flush mid-way
            }
            advance(11_000);
            assertThat(shape()).as("seed %s", seed).isEqualTo(EXPECTED);
        }
    }

    @Test
    void aBridgingMessageMergesTwoEmittedSessionsAndDeletesTheSupersededPoint() throws Exception {
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 5, "b"));
        send(reply(1, 10, 3, 30, "c", 5));
        send(msg(1, 10, 4, 35, "d"));
        advance(11_000);
        assertThat(shape())
                .isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L), id(1, 10, 3), List.of(3L, 4L)));

        // closes the gap, and the replies make one conversation of the stretch
        send(reply(1, 10, 5, 18, "bridge", 2));
        advance(11_000);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L, 5L, 3L, 4L)));
        assertThat(deletes).isEqualTo(1);
    }

    @Test
    void removingAMessageSplitsItsSessionOrDeletesAPointBelowTheMinimum() throws Exception {
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 10, "b"));
        send(msg(1, 10, 3, 20, "c"));
        send(msg(1, 10, 4, 30, "d"));
        advance(11_000);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L, 3L, 4L)));

        send(removal(1, 10, 3)); // 10:10 → 10:30 is 20 minutes: two sessions of 2 and 1
        advance(200);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L)));

        send(removal(1, 10, 2));
        advance(200);
        assertThat(shape()).as("no session of two messages is left").isEmpty();
    }

    @Test
    void aDuplicateChangeEmitsNothing() throws Exception {
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 1, "b"));
        advance(11_000);
        int before = upserts;
        send(msg(1, 10, 2, 1, "b"));
        send(msg(1, 10, 1, 0, "a"));
        advance(11_000);
        assertThat(upserts).isEqualTo(before);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L)));
    }

    @Test
    void anEditReEmbedsItsPointUnderTheSameId() throws Exception {
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 1, "b"));
        advance(11_000);
        assertThat(upserts)
                .as("written on idle while still open by its channel's clock")
                .isEqualTo(1);
        send(msg(1, 10, 2, 1, "b, edited"));
        advance(200);
        assertThat(upserts)
                .as("an edit of a written session is not held back until the session closes")
                .isEqualTo(2);
        assertThat(index.get(id(1, 10, 1)).text()).endsWith("b, edited").doesNotContain("b\n");
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L)));
    }

    @Test
    void appendsToAnOpenConversationRewriteItsPointInPlaceAndARemovalToo() throws Exception {
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 1, "b"));
        advance(200);
        assertThat(upserts).as("written while open, after the flush delay").isEqualTo(1);
        send(msg(1, 10, 3, 2, "c"));
        advance(200);
        send(msg(1, 10, 4, 3, "d"));
        advance(200);
        assertThat(upserts).as("each append rewrites the open point").isEqualTo(3);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L, 3L, 4L)));
        advance(11_000);
        assertThat(upserts).as("closing a written conversation writes nothing more").isEqualTo(3);
        send(removal(1, 10, 1));
        advance(200);
        assertThat(upserts).isEqualTo(4);
        assertThat(shape())
                .as("the point moves to the new first message; the old one is deleted")
                .isEqualTo(Map.of(id(1, 10, 2), List.of(2L, 3L, 4L)));
        send(removal(1, 10, 3));
        send(removal(1, 10, 4));
        advance(200);
        assertThat(shape())
                .as("a written conversation that falls below the minimum is deleted at once")
                .isEmpty();
    }

    @Test
    void newMessagesWaitWhileTheEmbedderIsBusyAndMakeOnePlanButAnEditGoesAhead() throws Exception {
        int busy = Sessionizer.DEFER_AT_BATCHES * EMBEDDING.maxBatchSize();
        backlog = busy;
        send(msg(1, 10, 1, 0, "a"));
        send(msg(1, 10, 2, 1, "b"));
        advance(200);
        send(msg(1, 10, 3, 2, "c"));
        advance(200);
        assertThat(upserts).as("nothing planned while the embedder is busy").isZero();
        backlog--;
        advance(200);
        assertThat(upserts).as("one plan for all that came meanwhile").isEqualTo(1);
        assertThat(shape()).isEqualTo(Map.of(id(1, 10, 1), List.of(1L, 2L, 3L)));

        backlog = busy;
        send(msg(1, 10, 2, 1, "b, edited"));
        advance(200);
        assertThat(upserts).as("an edit is not put off").isEqualTo(2);
        assertThat(index.get(id(1, 10, 1)).text()).contains("b, edited");
    }

    @Test
    void aLargePlanWaitsInTheOutboxWhileTheEmbedderIsBusyAndIsSentInOrder() throws Exception {
        for (int k = 0; k < 4; k++) { // four conversations an hour apart
            send(msg(1, 10, 10L * k + 1, 60 * k, "q" + k));
            send(msg(1, 10, 10L * k + 2, 60 * k + 1, "a" + k));
        }
        advance(200);
        assertThat(upserts).isEqualTo(4);

        backlog = Sessionizer.DEFER_AT_BATCHES * EMBEDDING.maxBatchSize();
        for (int k = 0; k < 4; k++) {
            send(msg(1, 10, 10L * k + 2, 60 * k + 1, "a" + k + ", edited"));
        }
        advance(100);
        assertThat(upserts).as("one sent, three wait while the embedder is busy").isEqualTo(5);
        advance(100);
        assertThat(upserts).as("one more per flush delay").isEqualTo(6);
        backlog = 0;
        advance(200);
        assertThat(upserts).isEqualTo(8);
        assertThat(index.values())
                .extracting(ChunkUpdate::text)
                .allSatisfy(t -> assertThat(t).contains(", edited"));
        advance(1_000);
        assertThat(upserts).as("nothing is sent twice").isEqualTo(8);
    }

    @Test
    void updatesWaitingInTheOutboxAtACheckpointAreSentAfterARestore() throws Exception {
        for (int k = 0; k < 4; k++) {
            send(msg(1, 10, 10L * k + 1, 60 * k, "q" + k));
            send(msg(1, 10, 10L * k + 2, 60 * k + 1, "a" + k));
        }
        advance(200);
        backlog = Sessionizer.DEFER_AT_BATCHES * EMBEDDING.maxBatchSize();
        for (int k = 0; k < 4; k++) {
            send(msg(1, 10, 10L * k + 2, 60 * k + 1, "a" + k + ", edited"));
        }
        advance(100);
        assertThat(upserts).isEqualTo(5);

        OperatorSubtaskState checkpoint = harness.snapshot(1, now);
        harness.close(); // a failure: the restored operator goes on from the checkpoint
        harness = newHarness();
        harness.initializeState(checkpoint);
        harness.open();
        harness.setProcessingTime(now);
        backlog = 0;
        advance(200);
        assertThat(upserts).as("the three that waited, once each").isEqualTo(8);
        assertThat(index.values())
                .extracting(ChunkUpdate::text)
                .allSatisfy(t -> assertThat(t).contains(", edited"));
        send(msg(1, 10, 2, 1, "a0, edited twice"));
        advance(200);
        assertThat(upserts).as("the restored decisions are known: one rewrite").isEqualTo(9);
        assertThat(shape()).hasSize(4);
    }

    @Test
    void aBurstOfEditsToOneWrittenSessionIsReEmbeddedOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            send(msg(1, 10, i + 1, i, "m" + i));
        }
        advance(11_000);
        assertThat(upserts).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            send(msg(1, 10, i + 1, i, "m" + i + " edited"));
            advance(15); // the whole burst lands within the 100 ms flush delay
        }
        advance(500);
        assertThat(upserts).as("one rewrite for the burst").isEqualTo(2);
        assertThat(index.get(id(1, 10, 1)).text()).contains("m0 edited", "m4 edited");
    }

    @Test
    void aHistoryImportInOneChannelNeitherDelaysNorChangesAnother() throws Exception {
        // channel 20 chats live (its clock is "now"); channel 30 receives history from 2019
        // meanwhile
        Instant live = Instant.parse("2026-11-24T12:00:00Z");
        send(
                ChannelEvent.upsert(
                        2,
                        20,
                        "live",
                        new SessionMessage(1, 1, "a", live, "hi"),
                        MessageChange.Kind.INSERT,
                        0));
        send(
                ChannelEvent.upsert(
                        2,
                        20,
                        "live",
                        new SessionMessage(2, 2, "b", live.plusSeconds(60), "hello"),
                        MessageChange.Kind.INSERT,
                        0));
        for (int i = 0; i < 30; i++) {
            Instant old =
                    Instant.parse("2019-01-01T00:00:00Z")
                            .plus(Duration.ofDays(i / 3))
                            .plusSeconds(i % 3 * 60L);
            send(
                    ChannelEvent.upsert(
                            2,
                            30,
                            "history",
                            new SessionMessage(1000 + i, 1, "a", old, "old " + i),
                            MessageChange.Kind.INSERT,
                            0));
            advance(50);
        }
        // the live channel's next message, 20 minutes later, closes its session at once
        send(
                ChannelEvent.upsert(
                        2,
                        20,
                        "live",
                        new SessionMessage(3, 1, "a", live.plusSeconds(1260), "later"),
                        MessageChange.Kind.INSERT,
                        0));
        advance(200);
        assertThat(shape()).containsEntry(id(2, 20, 1), List.of(1L, 2L));
        long history =
                shape().keySet().stream().filter(k -> index.get(k).channelId() == 30).count();
        assertThat(history)
                .as("history conversations written as they come, the open last one too")
                .isEqualTo(10);
        advance(11_000);
        assertThat(shape().keySet().stream().filter(k -> index.get(k).channelId() == 30).count())
                .isEqualTo(10);
        assertThat(shape()).containsEntry(id(2, 20, 1), List.of(1L, 2L));
    }
}
