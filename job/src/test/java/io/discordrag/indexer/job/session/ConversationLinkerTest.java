package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules that separate interleaved conversations of one stretch of a channel. */
class ConversationLinkerTest {

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    static final ConversationLinker LINKER =
            new ConversationLinker(ConversationLinker.Options.defaults(2));

    static SessionMessage msg(long id, long author, int second, String text) {
        return msg(id, author, second, text, 0, new long[0]);
    }

    static SessionMessage msg(
            long id, long author, int second, String text, long replyTo, long[] mentions) {
        return new SessionMessage(
                id, author, "u" + author, T0.plusSeconds(second), text, replyTo, mentions, null);
    }

    static List<List<Long>> ids(List<List<SessionMessage>> conversations) {
        List<List<Long>> out = new ArrayList<>();
        for (List<SessionMessage> c : conversations) {
            out.add(c.stream().map(SessionMessage::id).toList());
        }
        return out;
    }

    @Test
    void repliesAndMentionsSeparateTwoInterleavedConversations() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "how do I roll back a helm release"),
                        msg(2, 2, 10, "lunch anyone? tacos"),
                        msg(3, 3, 20, "helm rollback to the previous revision", 1, new long[0]),
                        msg(4, 4, 30, "<@2> I'm in", 0, new long[] {2}),
                        msg(5, 1, 200, "revision 3 failed, the one before?", 3, new long[0]),
                        msg(6, 2, 210, "12:15 at the lobby then", 4, new long[0]));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();

        assertThat(ids(LINKER.split(stretch, how)))
                .containsExactly(List.of(1L, 3L, 5L), List.of(2L, 4L, 6L));
        assertThat(how)
                .containsEntry(3L, ConversationLinker.Link.REPLY)
                .containsEntry(4L, ConversationLinker.Link.MENTION)
                .containsEntry(2L, ConversationLinker.Link.NEW);
    }

    @Test
    void aSpeakersNextMessageWithinTheTurnWindowContinuesItsConversation() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "why does the replication slot keep growing"),
                        msg(2, 2, 5, "anyone seen the new trailer?"),
                        msg(3, 1, 15, "it is at 40 GB now"),
                        msg(4, 2, 20, "it looks great"));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();
        assertThat(ids(LINKER.split(stretch, how)))
                .containsExactly(List.of(1L, 3L), List.of(2L, 4L));
        assertThat(how.get(3L)).isEqualTo(ConversationLinker.Link.OWN_TURN);
    }

    @Test
    void aMessageWithoutSignalsJoinsTheConversationWhoseWordsItShares() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "my sourdough starter is weak, the dough stays flat"),
                        msg(2, 2, 10, "why is the kubernetes pod stuck in crashloopbackoff?"),
                        msg(
                                3,
                                3,
                                200,
                                "feed the sourdough starter twice a day until the dough doubles"),
                        msg(
                                4,
                                4,
                                210,
                                "kubectl describe the pod and read the crashloopbackoff events"));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();
        assertThat(ids(LINKER.split(stretch, how)))
                .containsExactly(List.of(1L, 3L), List.of(2L, 4L));
        assertThat(how.get(3L)).isEqualTo(ConversationLinker.Link.WORDS);
        assertThat(how.get(4L)).isEqualTo(ConversationLinker.Link.WORDS);
    }

    @Test
    void twoPeoplesUnmarkedBackAndForthStaysOneConversation() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "first: secret plan"),
                        msg(2, 2, 60, "second: sounds good"),
                        msg(3, 1, 120, "third: let's go"),
                        msg(4, 2, 180, "fourth: done"));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();
        assertThat(ids(LINKER.split(stretch, how))).containsExactly(List.of(1L, 2L, 3L, 4L));
        assertThat(how.get(2L))
                .as("the only active conversation, and it asks nothing")
                .isEqualTo(ConversationLinker.Link.FLOW);
    }

    @Test
    void afterALullInsideTheStretchAnUnmarkedMessageGoesOnWithTheConversationBeforeIt() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "disk alert on db-2"),
                        msg(2, 2, 300, "looking"),
                        msg(3, 2, 1080, "it was the archive filling up the disk"),
                        msg(4, 1, 1800, "alert again on db-2"),
                        msg(5, 3, 1900, "anyone for lunch at noon?"));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();
        ConversationLinker keepsSingles =
                new ConversationLinker(ConversationLinker.Options.defaults(1));
        assertThat(ids(keepsSingles.split(stretch, how)))
                .as("a question after a lull starts its own conversation")
                .containsExactly(List.of(1L, 2L, 3L, 4L), List.of(5L));
        assertThat(how.get(3L)).isEqualTo(ConversationLinker.Link.FLOW);
        assertThat(how.get(5L)).isEqualTo(ConversationLinker.Link.NEW);
    }

    @Test
    void anAnswerToWhoeverAddressedYouBeatsYourOlderTurnElsewhere() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "how do I rotate the api key?"),
                        msg(2, 2, 10, "raid tonight at nine?"),
                        msg(3, 1, 30, "count me in", 2, new long[0]),
                        msg(4, 3, 40, "regenerate it under settings", 1, new long[0]),
                        msg(5, 1, 50, "found it, thanks"));
        Map<Long, ConversationLinker.Link> how = new HashMap<>();
        assertThat(ids(LINKER.split(stretch, how)))
                .containsExactly(List.of(1L, 4L, 5L), List.of(2L, 3L));
        assertThat(how.get(5L))
                .as("user 3 answered user 1 after user 1's own turn in the raid thread")
                .isEqualTo(ConversationLinker.Link.ADDRESSED);
    }

    @Test
    void theResultIsAFunctionOfTheSetNotOfTheArrivalOrder() {
        Random r = new Random(3);
        List<SessionMessage> stretch = new ArrayList<>();
        String[] words = {"deploy", "helm", "pod", "lunch", "tacos", "raid", "boss", "healer"};
        for (int i = 0; i < 200; i++) {
            long replyTo = i > 3 && r.nextInt(4) == 0 ? 1 + r.nextInt(i) : 0;
            long[] mentions = r.nextInt(5) == 0 ? new long[] {1 + r.nextInt(6)} : new long[0];
            stretch.add(
                    msg(
                            i + 1,
                            1 + r.nextInt(6),
                            i * 20,
                            words[r.nextInt(words.length)] + " " + words[r.nextInt(words.length)],
                            replyTo,
                            mentions));
        }
        List<List<Long>> inOrder = ids(LINKER.split(stretch));
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            List<SessionMessage> shuffled = new ArrayList<>(stretch);
            Collections.shuffle(shuffled, r);
            assertThat(ids(LINKER.split(shuffled))).isEqualTo(inOrder);
        }
        List<Long> covered = new ArrayList<>();
        inOrder.forEach(covered::addAll);
        assertThat(covered)
                .as("every message in exactly one conversation")
                .hasSize(200)
                .doesNotHaveDuplicates();
        assertThat(inOrder)
                .as("conversations below the minimum size were absorbed")
                .allMatch(c -> c.size() >= 2);
    }

    @Test
    void aLoneMessageJoinsTheConversationNearestInTime() {
        List<SessionMessage> stretch =
                List.of(
                        msg(1, 1, 0, "how do I roll back a helm release"),
                        msg(2, 2, 20, "helm rollback", 1, new long[0]),
                        msg(3, 3, 400, "is it going to rain today?"),
                        msg(4, 4, 500, "lunch anyone? tacos"),
                        msg(5, 5, 520, "tacos sound good", 4, new long[0]));
        assertThat(ids(LINKER.split(stretch)))
                .containsExactly(List.of(1L, 2L), List.of(3L, 4L, 5L));
    }

    @Test
    void aStretchOfSmallConversationsStaysOneAsTheGapRuleWouldIndexIt() {
        List<SessionMessage> stretch =
                List.of(msg(1, 1, 0, "alpha topic words"), msg(2, 2, 700, "beta other things"));
        assertThat(ids(LINKER.split(stretch))).containsExactly(List.of(1L, 2L));
    }
}
