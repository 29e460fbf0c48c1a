package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conversations in the planner: replies across the gap, deleted parents, merges by a late message,
 * and that arrival order never matters — planned incrementally as the job does, checked against the
 * whole set grouped at once.
 */
class ConversationPlannerRepliesTest {

    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    private static final long MINUTE = 60_000;
    private static final ToIntFunction<String> WORDS = s -> s.split("\\s+").length + 2;
    private static final ChannelRef CHANNEL = new ChannelRef(1, 10, "general");
    private static final SessionizerOptions OPTIONS = SessionizerOptions.builder().build();

    private final ConversationPlanner planner = new ConversationPlanner(OPTIONS, "m", WORDS);

    /** A channel's live messages and the points written for it, as the sinks leave them. */
    private static final class Channel {
        final Map<Long, SessionMessage> messages = new HashMap<>();
        final Map<String, PlannedPoint> written = new LinkedHashMap<>();

        /** The open stretch a plan left unplanned: dirty again at the next, as in the job. */
        long[] open;

        SessionMessage add(long id, long author, double minute, String text, long replyTo) {
            SessionMessage m =
                    new SessionMessage(
                            id,
                            author,
                            "u" + author,
                            T0.plusMillis((long) (minute * MINUTE)),
                            text,
                            replyTo,
                            null,
                            null);
            messages.put(id, m);
            return m;
        }

        List<SessionMessage> between(long from, long to) {
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
                        if (p.startTime().toEpochMilli() >= from
                                && p.startTime().toEpochMilli() <= to) {
                            out.put(id, p.written());
                        }
                    });
            return out;
        }

        void apply(ConversationPlanner.Plan plan) {
            plan.deletes().forEach(d -> written.remove(d.pointId()));
            plan.upserts().forEach(p -> written.put(p.pointId(), p));
        }

        long clock() {
            return messages.values().stream()
                    .mapToLong(m -> m.timestamp().toEpochMilli())
                    .max()
                    .orElse(Long.MIN_VALUE);
        }

        /** The point holding a message. */
        PlannedPoint pointOf(long messageId) {
            return written.values().stream()
                    .filter(p -> p.messages().stream().anyMatch(m -> m.id() == messageId))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no point holds " + messageId));
        }
    }

    private ConversationPlanner.Plan plan(Channel c, boolean closeAll, List<Long> dirtyTimes)
            throws Exception {
        List<long[]> dirty = new ArrayList<>();
        for (long t : dirtyTimes) {
            dirty.add(new long[] {t, t});
        }
        if (c.open != null) {
            dirty.add(c.open);
        }
        ConversationPlanner.Plan plan =
                planner.plan(
                        new ConversationPlanner.Request(CHANNEL, dirty, c.clock(), closeAll),
                        c::between,
                        c::points);
        c.apply(plan);
        c.open =
                plan.open() == null
                        ? null
                        : new long[] {plan.open().startMillis(), plan.open().endMillis()};
        return plan;
    }

    private ConversationPlanner.Plan planAt(Channel c, double... minutes) throws Exception {
        List<Long> times = new ArrayList<>();
        for (double m : minutes) {
            times.add(T0.toEpochMilli() + (long) (m * MINUTE));
        }
        return plan(c, true, times);
    }

    /** What the planner makes of the whole set at once: point id → text. */
    private Map<String, String> expected(Channel c) {
        Map<String, String> out = new TreeMap<>();
        for (Conversation conversation : planner.group(c.messages.values())) {
            for (PlannedPoint p : planner.points(CHANNEL, conversation)) {
                out.put(p.pointId(), p.text());
            }
        }
        return out;
    }

    private static Map<String, String> texts(Channel c) {
        Map<String, String> out = new TreeMap<>();
        c.written.forEach((id, p) -> out.put(id, p.text()));
        return out;
    }

    @Test
    void aReplyAcrossTheGapQuotesItsParentAndFollowsItsEditAndDelete() throws Exception {
        Channel c = new Channel();
        c.add(1, 1, 0, "how do I rotate the api key?", 0);
        c.add(2, 2, 1, "settings, then keys", 1);
        c.add(3, 1, 2, "thanks", 2);
        // three hours later, past the gap
        c.add(4, 3, 180, "did the rotation break the webhooks for anyone?", 1);
        c.add(5, 1, 181, "no, they kept working", 4);
        planAt(c, 0, 180);

        PlannedPoint later = c.pointOf(4);
        assertThat(later.messages()).extracting(SessionMessage::id).containsExactly(4L, 5L);
        assertThat(later.text())
                .contains(
                        "[u3 @ 2025-03-01 03:00]: (reply to @u1, 2025-03-01 00:00: \"how do I"
                                + " rotate the api key?\") did the rotation break the webhooks");
        assertThat(c.pointOf(1).messages())
                .extracting(SessionMessage::id)
                .containsExactly(1L, 2L, 3L);
        assertThat(texts(c)).isEqualTo(expected(c));

        // an edit of the parent changes the quote: its plan reaches the later stretch
        c.messages.put(
                1L,
                new SessionMessage(
                        1,
                        1,
                        "u1",
                        T0,
                        "how do I rotate the API key without downtime?",
                        0,
                        null,
                        null));
        ConversationPlanner.Plan edit = planAt(c, 0);
        assertThat(edit.upserts())
                .extracting(PlannedPoint::pointId)
                .contains(later.pointId(), c.pointOf(1).pointId());
        assertThat(c.pointOf(4).text()).contains("without downtime?\")");
        assertThat(texts(c)).isEqualTo(expected(c));

        // the parent deleted: the reply quotes nothing any more
        c.messages.remove(1L);
        planAt(c, 0);
        assertThat(c.pointOf(4).text()).doesNotContain("(reply to");
        assertThat(texts(c)).isEqualTo(expected(c));
    }

    @Test
    void aParentMovedToAfterItsReplyIsNoLongerQuoted() throws Exception {
        Channel c = new Channel();
        c.add(1, 1, 0, "how do I rotate the api key?", 0);
        c.add(2, 2, 1, "settings, then keys", 1);
        c.add(3, 3, 180, "did the rotation break the webhooks?", 1);
        c.add(4, 1, 181, "no, they kept working", 3);
        c.add(5, 4, 600, "late lunch anyone?", 0);
        c.add(6, 2, 601, "sure", 5);
        planAt(c, 0, 180, 600);
        assertThat(c.pointOf(3).text()).contains("(reply to @u1");

        // the parent's time moves past its reply (a corrected timestamp): both times are dirty
        c.messages.put(
                1L,
                new SessionMessage(
                        1,
                        1,
                        "u1",
                        T0.plusSeconds(600 * 60 + 30),
                        "how do I rotate the api key?",
                        0,
                        null,
                        null));
        planAt(c, 0, 600.5);
        assertThat(c.pointOf(3).text()).doesNotContain("(reply to");
        assertThat(texts(c)).isEqualTo(expected(c));
    }

    @Test
    void quotesDoNotMoveMessagesBetweenConversations() throws Exception {
        Channel c = new Channel();
        c.add(1, 1, 0, "how do I rotate the api key?", 0);
        c.add(2, 2, 1, "settings, then keys", 1);
        c.add(3, 5, 2, "who has the raid loot list?", 0);
        c.add(4, 6, 3, "pinned in the guild channel", 3);
        // the next morning two people answer two different threads of yesterday; the quotes
        // share words ("reply", the date, the names), their own texts nothing
        c.add(5, 3, 600, "did the rotation break the webhooks?", 1);
        c.add(6, 4, 601, "can we split the loot differently?", 3);
        c.add(7, 1, 602, "no, they kept working", 5);
        c.add(8, 5, 603, "fine by me", 6);
        planAt(c, 0, 600);
        assertThat(c.pointOf(5).messages()).extracting(SessionMessage::id).containsExactly(5L, 7L);
        assertThat(c.pointOf(6).messages()).extracting(SessionMessage::id).containsExactly(6L, 8L);
        assertThat(texts(c)).isEqualTo(expected(c));
    }

    @Test
    void aReplyToAMessageOlderThanTheReplyWindowQuotesNothing() throws Exception {
        Channel c = new Channel();
        c.add(1, 1, 0, "how do I rotate the api key?", 0);
        c.add(2, 2, 1, "settings, then keys", 1);
        c.add(3, 3, 25 * 60, "still true?", 1);
        c.add(4, 2, 25 * 60 + 1, "yes", 3);
        planAt(c, 0, 25 * 60);
        assertThat(c.pointOf(3).text()).doesNotContain("(reply to");
        assertThat(texts(c)).isEqualTo(expected(c));
    }

    @Test
    void aReplyToADeletedMessageIsGroupedByItsOtherSignals() throws Exception {
        Channel c = new Channel();
        c.add(1, 1, 0, "who is in for the raid on friday?", 0);
        c.add(2, 2, 0.5, "me, healer", 1);
        c.add(3, 3, 1, "what was that about?", 999); // its parent was deleted before we saw it
        c.add(4, 1, 1.5, "thanks, see you friday", 0);
        planAt(c, 0);
        assertThat(texts(c)).isEqualTo(expected(c));
        assertThat(c.written.values())
                .flatExtracting(PlannedPoint::messages)
                .extracting(SessionMessage::id)
                .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        assertThat(c.pointOf(3).text()).doesNotContain("(reply to");
    }

    @Test
    void aLateMessageMergesTwoWrittenConversations() throws Exception {
        Channel c = new Channel();
        c.add(10, 1, 0, "how do I rotate the api key?", 0);
        c.add(11, 2, 0.2, "settings, then keys", 10);
        c.add(12, 3, 3, "raid tonight at nine?", 0);
        c.add(13, 4, 3.2, "count me in", 12);
        planAt(c, 0, 3);
        assertThat(c.written).hasSize(2);
        String raid = c.pointOf(12).pointId();

        // arrives late: user 3 answered in the key thread, and their raid call a minute later
        // continues their own turn
        c.add(14, 3, 2, "you also have to restart the worker", 11);
        ConversationPlanner.Plan plan = planAt(c, 2);

        assertThat(plan.merged()).as("two written conversations became one").isEqualTo(1);
        assertThat(plan.deletes())
                .extracting(ConversationPlanner.Deleted::pointId)
                .containsExactly(raid);
        assertThat(c.written).hasSize(1);
        assertThat(c.pointOf(10).messages())
                .extracting(SessionMessage::id)
                .containsExactly(10L, 11L, 14L, 12L, 13L);
        assertThat(texts(c)).isEqualTo(expected(c));
    }

    @Test
    void anyArrivalOrderEndsWithThePointsOfTheWholeSet() throws Exception {
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            Channel all = randomChannel(r);
            List<SessionMessage> arrival = new ArrayList<>(all.messages.values());
            Collections.shuffle(arrival, r);
            Channel c = new Channel();
            for (int i = 0; i < arrival.size(); ) {
                int n = 1 + r.nextInt(8);
                List<Long> dirty = new ArrayList<>();
                for (SessionMessage m : arrival.subList(i, Math.min(arrival.size(), i + n))) {
                    c.messages.put(m.id(), m);
                    dirty.add(m.timestamp().toEpochMilli());
                }
                i += n;
                plan(c, r.nextBoolean(), dirty);
            }
            plan(c, true, List.of(c.clock()));
            assertThat(texts(c)).as("seed %d", seed).isEqualTo(expected(all));
        }
    }

    /**
     * The open stretch is written as it stands: after every plan — live appends in time order, or
     * any arrival order — the written points are exactly those of the messages so far, so a point
     * whose chunk boundary moved or whose small conversation was absorbed is rewritten or deleted
     * at once, never left as an orphan or covering a message another point covers.
     */
    @Test
    void afterEveryPlanTheWrittenPointsAreThoseOfTheMessagesSoFar() throws Exception {
        int rewrittenSmaller = 0;
        int deleted = 0;
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            Channel all = randomChannel(r);
            List<SessionMessage> arrival = new ArrayList<>(all.messages.values());
            if (seed % 2 == 0) {
                arrival.sort(SessionMessage.ORDER); // live: appends
            } else {
                Collections.shuffle(arrival, r);
            }
            Channel c = new Channel();
            for (int i = 0; i < arrival.size(); ) {
                int n = 1 + r.nextInt(3);
                List<Long> dirty = new ArrayList<>();
                for (SessionMessage m : arrival.subList(i, Math.min(arrival.size(), i + n))) {
                    c.messages.put(m.id(), m);
                    dirty.add(m.timestamp().toEpochMilli());
                }
                i += n;
                Map<String, PlannedPoint> before = new HashMap<>(c.written);
                ConversationPlanner.Plan plan = plan(c, false, dirty);
                deleted += plan.deletes().size();
                for (PlannedPoint p : plan.upserts()) {
                    PlannedPoint was = before.get(p.pointId());
                    if (was != null && was.messages().size() > p.messages().size()) {
                        rewrittenSmaller++;
                    }
                }
                assertThat(texts(c))
                        .as("seed %d after %d messages", seed, i)
                        .isEqualTo(expected(c));
            }
        }
        assertThat(rewrittenSmaller).as("chunk boundaries moved").isPositive();
        assertThat(deleted).as("superseded points deleted").isPositive();
    }

    /** 120 messages of five users in stretches of a few minutes to hours, a third replies. */
    private static Channel randomChannel(Random r) {
        Channel all = new Channel();
        double minute = 0;
        for (long id = 1; id <= 120; id++) {
            minute += r.nextInt(10) == 0 ? 60 + r.nextInt(600) : r.nextDouble() * 3;
            long replyTo = id > 1 && r.nextInt(3) == 0 ? 1 + r.nextInt((int) id - 1) : 0;
            all.add(
                    id,
                    1 + r.nextInt(5),
                    minute,
                    List.of("deploy", "raid", "espresso", "keys", "lunch").get(r.nextInt(5))
                            + " "
                            + (r.nextInt(4) == 0 ? "?" : "ok"),
                    replyTo);
        }
        return all;
    }
}
