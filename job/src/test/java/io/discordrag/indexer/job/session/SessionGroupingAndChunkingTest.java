package io.discordrag.indexer.job.session;

import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.TextTokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Session grouping by gap and chunking by the real tokenizer's budget. */
class SessionGroupingAndChunkingTest {

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final Duration GAP = Duration.ofMinutes(15);
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.load(ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static SessionMessage msg(long id, long minutes, String text) {
        return new SessionMessage(id, 7, "ann", T0.plus(Duration.ofMinutes(minutes)), text);
    }

    private static List<List<Long>> ids(List<List<SessionMessage>> groups) {
        List<List<Long>> out = new ArrayList<>();
        for (List<SessionMessage> g : groups) {
            out.add(g.stream().map(SessionMessage::id).toList());
        }
        return out;
    }

    @Test
    void aGapLongerThanTheSessionGapStartsANewSession() {
        List<SessionMessage> messages =
                List.of(msg(1, 0, "a"), msg(2, 15, "b"), msg(3, 31, "c"), msg(4, 40, "d"));
        // 15 minutes exactly stays in the session; 16 minutes starts a new one.
        assertThat(ids(SessionGrouping.sessions(messages, GAP)))
                .containsExactly(List.of(1L, 2L), List.of(3L, 4L));
    }

    @Test
    void arrivalOrderDoesNotChangeTheSessions() {
        Random r = new Random(3);
        List<SessionMessage> messages = new ArrayList<>();
        long minute = 0;
        for (long id = 1; id <= 200; id++) {
            minute += r.nextInt(5) == 0 ? 30 : r.nextInt(5);
            messages.add(msg(id, minute, "message " + id));
        }
        List<List<Long>> inOrder = ids(SessionGrouping.sessions(messages, GAP));
        for (int i = 0; i < 5; i++) {
            List<SessionMessage> shuffled = new ArrayList<>(messages);
            Collections.shuffle(shuffled, r);
            assertThat(ids(SessionGrouping.sessions(shuffled, GAP))).isEqualTo(inOrder);
        }
        assertThat(inOrder.size()).isGreaterThan(10);
    }

    @Test
    void chunksFitTheBudgetAndCoverEveryMessageOnce() {
        List<SessionMessage> session = new ArrayList<>();
        for (long id = 1; id <= 60; id++) {
            session.add(
                    msg(
                            id,
                            id / 4,
                            "the deploy of build "
                                    + id
                                    + " is still failing, can someone look at the logs?"));
        }
        List<List<SessionMessage>> chunks =
                SessionChunker.chunks("ops", session, tokenizer::countTokens, 256);
        assertThat(chunks.size()).isGreaterThan(1);
        Set<Long> seen = new HashSet<>();
        for (List<SessionMessage> chunk : chunks) {
            assertThat(tokenizer.countTokens(SessionTextRenderer.render("ops", chunk)))
                    .isLessThanOrEqualTo(256);
            for (SessionMessage m : chunk) {
                assertThat(seen.add(m.id())).as("message %d in one chunk only", m.id()).isTrue();
            }
        }
        assertThat(seen).hasSize(60);
        // Deterministic: the same session (in any order) gives the same chunks.
        List<SessionMessage> reversed = new ArrayList<>(session);
        Collections.reverse(reversed);
        assertThat(ids(SessionChunker.chunks("ops", reversed, tokenizer::countTokens, 256)))
                .isEqualTo(ids(chunks));
    }

    /**
     * The chunker guesses a chunk's end from each line's own count and checks the guess against the
     * whole chunk's count; its chunks are those of counting every prefix (the greedy rule itself),
     * whatever the text: markup, punctuation, emoji, CJK, lines inside a message, overlong ones.
     */
    @Test
    void chunksAreThoseOfCountingEveryPrefix() {
        String[] words = {
            "deploy",
            "the",
            "kubectl",
            "CrashLoopBackOff",
            "naïve",
            "!!",
            "(ok)",
            "🙂",
            "東京",
            "foo_bar-baz",
            "`code`",
            "**bold**",
            "https://example.com/a?b=c",
            "12:30",
            "—"
        };
        Random r = new Random(7);
        long messages = 0;
        long chunks = 0;
        int[] calls = {0};
        for (int round = 0; round < 200; round++) {
            List<SessionMessage> session = new ArrayList<>();
            int n = 1 + r.nextInt(40);
            messages += n;
            for (int i = 0; i < n; i++) {
                StringBuilder text = new StringBuilder();
                int len = r.nextInt(10) == 0 ? 200 + r.nextInt(200) : 1 + r.nextInt(30);
                for (int w = 0; w < len; w++) {
                    text.append(w == 0 ? "" : r.nextInt(8) == 0 ? "\n" : " ")
                            .append(words[r.nextInt(words.length)]);
                }
                session.add(msg(i + 1, i, text.toString()));
            }
            int budget = 16 + r.nextInt(256);
            List<List<Long>> fast =
                    ids(
                            SessionChunker.chunks(
                                    "ops",
                                    session,
                                    text -> {
                                        calls[0]++;
                                        return tokenizer.countTokens(text);
                                    },
                                    budget));
            List<List<Long>> exact = ids(everyPrefix("ops", session, budget));
            assertThat(fast).as("round %d, budget %d", round, budget).isEqualTo(exact);
            chunks += fast.size();
        }
        assertThat((long) calls[0])
                .as("one count per message, one for the header, at most two per chunk")
                .isLessThanOrEqualTo(messages + 200 + 2 * chunks);
    }

    /** The greedy rule counted on every prefix, as the chunker did before it guessed. */
    private static List<List<SessionMessage>> everyPrefix(
            String channel, List<SessionMessage> session, int budget) {
        List<List<SessionMessage>> chunks = new ArrayList<>();
        List<SessionMessage> current = new ArrayList<>();
        for (SessionMessage m : session) {
            current.add(m);
            if (current.size() > 1
                    && tokenizer.countTokens(SessionTextRenderer.render(channel, current))
                            > budget) {
                current.remove(current.size() - 1);
                chunks.add(current);
                current = new ArrayList<>();
                current.add(m);
            }
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    @Test
    void anOverlongMessageIsAChunkOfItsOwn() {
        List<SessionMessage> session =
                List.of(msg(1, 0, "hi"), msg(2, 1, "word ".repeat(600)), msg(3, 2, "bye"));
        assertThat(ids(SessionChunker.chunks("general", session, tokenizer::countTokens, 256)))
                .containsExactly(List.of(1L), List.of(2L), List.of(3L));
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> SessionGrouping.sessions(List.of(), Duration.ZERO))
                .hasMessageContaining("gap");
        assertThatThrownBy(() -> SessionChunker.chunks("c", List.of(), String::length, 1))
                .hasMessageContaining("max tokens");
    }
}
