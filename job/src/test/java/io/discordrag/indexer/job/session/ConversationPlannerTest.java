package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The planner on its own, over lists: what a plan reads (only the conversations around a change),
 * and what it decides (merges, splits, unchanged points, the open conversation).
 */
class ConversationPlannerTest {

    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    private static final long MINUTE = 60_000;
    private static final SessionizerOptions OPTIONS = SessionizerOptions.builder().build();

    /** One token per word plus the two special tokens: enough to chunk by. */
    private static final ToIntFunction<String> WORDS = s -> s.split("\\s+").length + 2;

    private static final ChannelRef CHANNEL = new ChannelRef(1, 10, "general");

    private final ConversationPlanner planner = new ConversationPlanner(OPTIONS, "m", WORDS);

    /** A channel's messages and written points, recording what a plan reads. */
    private static final class Channel {
        final Map<Long, SessionMessage> messages = new HashMap<>();
        final Map<String, WrittenPoint> written = new LinkedHashMap<>();
        final List<long[]> reads = new ArrayList<>();

        SessionMessage add(long id, long minute) {
            SessionMessage m =
                    new SessionMessage(
                            id,
                            id % 3,
                            "u" + id % 3,
                            T0.plusMillis(minute * MINUTE),
                            "message " + id);
            messages.put(id, m);
            return m;
        }

        void edit(long id, String content) {
            SessionMessage m = messages.get(id);
            messages.put(
                    id,
                    new SessionMessage(id, m.authorId(), m.authorName(), m.timestamp(), content));
        }

        List<SessionMessage> between(long from, long to) {
            reads.add(new long[] {from, to});
            return messages.values().stream()
                    .filter(
                            m ->
                                    m.timestamp().toEpochMilli() >= from
                                            && m.timestamp().toEpochMilli() <= to)
                    .toList();
        }

        Map<String, WrittenPoint> points(long from, long to) {
            Map<String, WrittenPoint> out = new LinkedHashMap<>();
            written.forEach(
                    (id, p) -> {
                        if (p.startMillis() >= from && p.startMillis() <= to) {
                            out.put(id, p);
                        }
                    });
            return out;
        }

        /** Applies a plan as the sinks would. */
        void apply(ConversationPlanner.Plan plan) {
            plan.deletes().forEach(d -> written.remove(d.pointId()));
            plan.upserts().forEach(p -> written.put(p.pointId(), p.written()));
        }
    }

    private ConversationPlanner.Plan plan(Channel c, boolean closeAll, long... dirtyMinutes)
            throws Exception {
        List<long[]> dirty = new ArrayList<>();
        for (long m : dirtyMinutes) {
            dirty.add(new long[] {time(m), time(m)});
        }
        long clock =
                c.messages.values().stream()
                        .mapToLong(m -> m.timestamp().toEpochMilli())
                        .max()
                        .orElse(Long.MIN_VALUE);
        c.reads.clear();
        ConversationPlanner.Plan plan =
                planner.plan(
                        new ConversationPlanner.Request(CHANNEL, dirty, clock, closeAll),
                        c::between,
                        c::points);
        c.apply(plan);
        return plan;
    }

    /** Plans with the whole history dirty, as after a snapshot. */
    private void planEverything(Channel c) throws Exception {
        c.apply(
                planner.plan(
                        new ConversationPlanner.Request(
                                CHANNEL,
                                List.of(new long[] {time(0), time(1_000_000)}),
                                Long.MAX_VALUE,
                                true),
                        c::between,
                        c::points));
    }

    private static long time(long minute) {
        return T0.toEpochMilli() + minute * MINUTE;
    }

    private static String id(long first) {
        return PointIds.forChunk(1, 10, first).toString();
    }

    /** 1,000 conversations of 3 messages, an hour apart; ids 1000*k + i. */
    private static Channel longHistory() {
        Channel c = new Channel();
        for (int k = 0; k < 1_000; k++) {
            for (int i = 0; i < 3; i++) {
                c.add(1_000L * k + i, 60L * k + 5 * i);
            }
        }
        return c;
    }

    @Test
    void anEditReadsOnlyTheConversationAroundIt() throws Exception {
        Channel c = longHistory();
        planEverything(c); // first plan: the whole history is dirty
        assertThat(c.written).hasSize(1_000);

        c.edit(500_001L, "edited");
        ConversationPlanner.Plan plan = plan(c, true, 60L * 500 + 5);

        assertThat(plan.messagesRead()).isEqualTo(3);
        assertThat(plan.upserts()).extracting(PlannedPoint::pointId).containsExactly(id(500_000));
        assertThat(plan.deletes()).isEmpty();
        for (long[] r : c.reads) {
            // the conversation widened by one gap on each side, and the reply window after it
            // (replies there quote what changed), no more
            assertThat(r[0]).isGreaterThanOrEqualTo(time(60L * 500 - 15));
            assertThat(r[1]).isLessThanOrEqualTo(time(60L * 500 + 10 + 15 + 24 * 60));
        }
    }

    @Test
    void twoDistantChangesReadTwoWindowsNotTheHistoryBetween() throws Exception {
        Channel c = longHistory();
        planEverything(c);
        c.edit(100_001L, "edit one");
        c.edit(900_001L, "edit two");

        ConversationPlanner.Plan plan = plan(c, true, 60L * 100 + 5, 60L * 900 + 5);

        assertThat(plan.messagesRead()).isEqualTo(6);
        assertThat(plan.upserts())
                .extracting(PlannedPoint::pointId)
                .containsExactlyInAnyOrder(id(100_000), id(900_000));
    }

    @Test
    void aBridgingMessageMergesTwoConversationsAndDeletesTheSupersededPoint() throws Exception {
        Channel c = new Channel();
        c.add(1, 0);
        c.add(2, 10);
        c.add(3, 30); // 20 minutes later: a new conversation
        c.add(4, 40);
        plan(c, true, 0, 40);
        assertThat(c.written).containsOnlyKeys(id(1), id(3));

        c.add(5, 20); // within the gap of both
        ConversationPlanner.Plan plan = plan(c, true, 20);

        assertThat(plan.merged()).isEqualTo(1);
        assertThat(plan.deletes())
                .extracting(ConversationPlanner.Deleted::pointId)
                .containsExactly(id(3));
        assertThat(c.written).containsOnlyKeys(id(1));
    }

    @Test
    void removingTheMiddleMessageSplitsAConversation() throws Exception {
        Channel c = new Channel();
        for (long i = 1; i <= 5; i++) {
            c.add(i, 10 * (i - 1)); // 0, 10, 20, 30, 40: one conversation
        }
        plan(c, true, 0, 40);
        assertThat(c.written).containsOnlyKeys(id(1));

        c.messages.remove(3L); // 10 -> 30 is 20 minutes: two conversations
        plan(c, true, 20);

        assertThat(c.written).containsOnlyKeys(id(1), id(4));
    }

    @Test
    void theOpenStretchIsWrittenAsItStandsAndClosingItWritesNothingMore() throws Exception {
        Channel c = new Channel();
        c.add(1, 0);
        c.add(2, 5);

        ConversationPlanner.Plan open = plan(c, false, 0, 5);
        assertThat(open.open()).isNotNull();
        assertThat(open.upserts()).extracting(PlannedPoint::pointId).containsExactly(id(1));
        assertThat(open.emitted()).as("not emitted while open").isEmpty();
        assertThat(open.opened()).isEqualTo(1);

        c.add(3, 7);
        ConversationPlanner.Plan grown =
                planner.plan(
                        new ConversationPlanner.Request(
                                CHANNEL,
                                List.of(new long[] {time(0), time(7)}),
                                time(7),
                                false,
                                time(0),
                                time(5)),
                        c::between,
                        c::points);
        c.apply(grown);
        assertThat(grown.upserts())
                .as("an append rewrites the open point in place")
                .extracting(PlannedPoint::pointId, p -> p.messageIds().length)
                .containsExactly(tuple(id(1), 3));
        assertThat(grown.deletes()).isEmpty();
        assertThat(grown.opened()).as("counted once").isZero();

        ConversationPlanner.Plan closed =
                planner.plan(
                        new ConversationPlanner.Request(
                                CHANNEL,
                                List.of(new long[] {time(0), time(7)}),
                                time(60),
                                false,
                                time(0),
                                time(7)),
                        c::between,
                        c::points);
        assertThat(closed.open()).as("the clock passed it by more than the gap").isNull();
        assertThat(closed.upserts()).isEmpty();
        assertThat(closed.unchanged()).isEqualTo(1);
        assertThat(closed.emitted())
                .as("emitted once, when it closes")
                .extracting(e -> e.conversation().firstMessageId())
                .containsExactly(1L);
    }

    @Test
    void anUnchangedConversationIsNotWrittenAgain() throws Exception {
        Channel c = new Channel();
        c.add(1, 0);
        c.add(2, 5);
        plan(c, true, 0);

        ConversationPlanner.Plan again = plan(c, true, 0);

        assertThat(again.upserts()).isEmpty();
        assertThat(again.unchanged()).isEqualTo(1);
    }

    @Test
    void aConversationBelowTheMinimumHasNoPointAndLosesItsOldOne() throws Exception {
        Channel c = new Channel();
        c.add(1, 0);
        c.add(2, 5);
        plan(c, true, 0);
        c.messages.remove(2L);

        ConversationPlanner.Plan plan = plan(c, true, 5);

        assertThat(plan.belowMinimum()).isEqualTo(1);
        assertThat(c.written).isEmpty();
    }

    @Test
    void theScanGroupsSortedMessagesAsTheWholeSetDoes() {
        Channel c = longHistory();
        List<SessionMessage> sorted = new ArrayList<>(c.messages.values());
        sorted.sort(SessionMessage.ORDER);
        ConversationPlanner.Scan scan = planner.scan();
        List<Conversation> scanned = new ArrayList<>();
        for (SessionMessage m : sorted) {
            scanned.addAll(scan.add(m));
        }
        scanned.addAll(scan.finish());

        assertThat(scanned).isEqualTo(planner.group(c.messages.values()));
    }

    @Test
    void theScanRefusesMessagesOutOfOrder() {
        Channel c = new Channel();
        ConversationPlanner.Scan scan = planner.scan();
        scan.add(c.add(2, 10));
        assertThatThrownBy(() -> scan.add(c.add(1, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("order");
    }

    @Test
    void longConversationsAreChunkedByTheTokenBudget() {
        Channel c = new Channel();
        for (long i = 1; i <= 200; i++) {
            c.add(i, i);
        }
        List<Conversation> conversations = planner.group(c.messages.values());
        assertThat(conversations).hasSize(1);

        List<PlannedPoint> points = planner.points(CHANNEL, conversations.get(0));

        assertThat(points.size()).isGreaterThan(1);
        long covered = 0;
        for (PlannedPoint p : points) {
            assertThat(WORDS.applyAsInt(p.text())).isLessThanOrEqualTo(OPTIONS.maxTokens());
            assertThat(p.pointId()).isEqualTo(id(p.messageIds()[0]));
            covered += p.messageIds().length;
        }
        assertThat(covered).isEqualTo(200);
    }
}
