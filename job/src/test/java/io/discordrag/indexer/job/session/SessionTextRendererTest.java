package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The session text format of DESIGN.md. */
class SessionTextRendererTest {

    @Test
    void rendersAConversationInTimestampThenIdOrderInUtc() {
        Instant t = Instant.parse("2024-05-01T22:59:59Z");
        List<SessionMessage> messages =
                List.of(
                        new SessionMessage(30, 8, "Bob", t.plusSeconds(61), "second"),
                        new SessionMessage(
                                20, 7, SessionMessage.displayName("Ann G.", "ann"), t, "first"),
                        new SessionMessage(
                                10,
                                7,
                                SessionMessage.displayName(null, "ann"),
                                t,
                                "same minute, lower id"));
        assertThat(SessionTextRenderer.render("general", messages))
                .isEqualTo(
                        String.join(
                                "\n",
                                "Conversation in #general:",
                                "[ann @ 2024-05-01 22:59]: same minute, lower id",
                                "[Ann G. @ 2024-05-01 22:59]: first",
                                "[Bob @ 2024-05-01 23:01]: second"));
    }

    @Test
    void aSingleMessageHasNoHeader() {
        assertThat(
                        SessionTextRenderer.render(
                                "general",
                                List.of(
                                        new SessionMessage(
                                                1,
                                                7,
                                                "ann",
                                                Instant.parse("2024-01-02T03:04:05Z"),
                                                "hi"))))
                .isEqualTo("[ann @ 2024-01-02 03:04]: hi");
    }

    @Test
    void missingNamesAndContentAreRenderedNotDropped() {
        SessionMessage m = new SessionMessage(1, 42, " ", Instant.EPOCH, null);
        assertThat(SessionTextRenderer.line(m)).isEqualTo("[user 42 @ 1970-01-01 00:00]: ");
    }

    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");
    private static final List<SessionMessage> TWO =
            List.of(
                    new SessionMessage(1, 7, "Ann", T, "hello there"),
                    new SessionMessage(2, 8, "Bob", T.plusSeconds(120), "line one\nline two"));

    @Test
    void aRenderingMatchesItsMessagesWhateverTheNames() {
        String text = SessionTextRenderer.render("general", TWO);
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, TWO, false)).isTrue();
        String renamed =
                SessionTextRenderer.render(
                        "lobby",
                        List.of(
                                new SessionMessage(1, 7, "Annie [mod]", T, "hello there"),
                                new SessionMessage(
                                        2, 8, "B", T.plusSeconds(120), "line one\nline two")));
        assertThat(SessionTextRenderer.matchesIgnoringNames(renamed, TWO, false))
                .as("renamed author and channel")
                .isTrue();
    }

    @Test
    void editedRemovedAddedOrMovedMessagesDoNotMatch() {
        String text = SessionTextRenderer.render("general", TWO);
        List<SessionMessage> edited =
                List.of(
                        TWO.get(0),
                        new SessionMessage(2, 8, "Bob", T.plusSeconds(120), "line one"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, edited, false))
                .as("shortened by an edit")
                .isFalse();
        List<SessionMessage> longer =
                List.of(
                        TWO.get(0),
                        new SessionMessage(2, 8, "Bob", T.plusSeconds(120), "line one\nline two!"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, longer, false)).isFalse();
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, TWO.subList(0, 1), false))
                .as("one removed")
                .isFalse();
        List<SessionMessage> three = new java.util.ArrayList<>(TWO);
        three.add(new SessionMessage(3, 7, "Ann", T.plusSeconds(180), "more"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, three, false))
                .as("one added")
                .isFalse();
        List<SessionMessage> moved =
                List.of(
                        TWO.get(0),
                        new SessionMessage(2, 8, "Bob", T.plusSeconds(240), "line one\nline two"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(text, moved, false))
                .as("another minute")
                .isFalse();
    }

    @Test
    void aCutTextMatchesWhenWhatIsLeftIsAPrefix() {
        String text = SessionTextRenderer.render("general", TWO);
        for (int cut = 1; cut < text.length(); cut++) {
            assertThat(SessionTextRenderer.matchesIgnoringNames(text.substring(0, cut), TWO, true))
                    .as("cut at %d", cut)
                    .isTrue();
        }
        String stale =
                SessionTextRenderer.render(
                        "general",
                        List.of(
                                TWO.get(0),
                                new SessionMessage(2, 8, "Bob", T.plusSeconds(120), "old words")));
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                stale.substring(0, stale.length() - 2), TWO, true))
                .isFalse();
        assertThat(SessionTextRenderer.matchesIgnoringNames(text.substring(0, 20), TWO, false))
                .as("a short text that was not cut is incomplete")
                .isFalse();
    }

    @Test
    void namesRenderedFromMentionsMayDifferButWhatTheUserWroteMayNot() throws Exception {
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        String raw = "thanks <@1> and <@2>, see <#3>";
        List<SessionMessage> now = mentioning(raw, t, Map.of(1L, "Ada", 2L, "bob"), "general");
        List<SessionMessage> before =
                mentioning(raw, t, Map.of(1L, "Ada Lovelace", 2L, "b"), "general-chat");
        String stored = SessionTextRenderer.render("general", before);

        assertThat(SessionTextRenderer.matchesIgnoringNames(stored, now, false))
                .as("renamed mentioned users and channel")
                .isTrue();
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                stored.replace("thanks", "thank you"), now, false))
                .as("an edit outside the names")
                .isFalse();
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                SessionTextRenderer.render(
                                        "general",
                                        mentioning(
                                                "thanks <@1>, see <#3>",
                                                t,
                                                Map.of(1L, "Ada"),
                                                "general")),
                                now,
                                false))
                .as("a mention removed by an edit")
                .isFalse();
        int cutInsideAName = stored.indexOf("Lovelace") + 3;
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                stored.substring(0, cutInsideAName), now, true))
                .as("cut inside a name")
                .isTrue();
    }

    static List<SessionMessage> mentioning(
            String raw, Instant t, Map<Long, String> users, String channel) throws Exception {
        DiscordMarkup.Rendered r =
                DiscordMarkup.render(raw, DiscordMarkup.Names.of(users::get, id -> channel));
        return List.of(
                new SessionMessage(10, 7, "Cy", t, "hello"),
                new SessionMessage(
                        11,
                        8,
                        "Di",
                        t.plusSeconds(30),
                        r.text(),
                        10,
                        r.mentionedUserIds(),
                        r.nameSpans()));
    }

    @Test
    void aLineFullOfMentionsWithADifferentTailIsRejectedWithoutTryingEveryAlignment()
            throws Exception {
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        StringBuilder raw = new StringBuilder();
        Map<Long, String> users = new java.util.HashMap<>();
        for (long u = 1; u <= 40; u++) {
            raw.append("<@").append(u).append("> ");
            users.put(u, "user" + u);
        }
        String tail =
                "please read the release notes before friday, the migration changed and the"
                        + " rollback steps are different now, ";
        List<SessionMessage> now = mentioning(raw + tail + "thanks", t, users, "general");
        String stored =
                SessionTextRenderer.render(
                        "general", mentioning(raw + tail + "cheers", t, users, "general"));

        assertThat(SessionTextRenderer.matchesIgnoringNames(stored, now, false)).isFalse();
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                stored.substring(0, stored.length() - 5), now, true))
                .as("cut inside the edited word, more than a name's length after the last name")
                .isFalse();
        assertThat(
                        SessionTextRenderer.matchesIgnoringNames(
                                SessionTextRenderer.render("general", now), now, false))
                .isTrue();
    }

    @Test
    void aNameIsAtMostALineAndAHundredCharacters() throws Exception {
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        List<SessionMessage> now = mentioning("hi <@1>, see you", t, Map.of(1L, "Ada"), "general");
        String longer = "x".repeat(SessionTextRenderer.MAX_NAME_CHARS + 1);
        String stored =
                SessionTextRenderer.render(
                        "general",
                        mentioning("hi <@1>, see you", t, Map.of(1L, longer), "general"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(stored, now, false)).isFalse();
        String atMost = "y".repeat(SessionTextRenderer.MAX_NAME_CHARS);
        String fits =
                SessionTextRenderer.render(
                        "general",
                        mentioning("hi <@1>, see you", t, Map.of(1L, atMost), "general"));
        assertThat(SessionTextRenderer.matchesIgnoringNames(fits, now, false)).isTrue();
    }

    @Test
    void aQuoteHoldsTheSameOwnTextWhateverTheLengthOfTheNamesInIt() {
        String tail = "x".repeat(150);
        SessionMessage parentBob =
                new SessionMessage(
                        1, 1, "Ann", T, "@Bob " + tail, 0, new long[] {2}, new int[] {1, 4});
        SessionMessage parentRenamed =
                new SessionMessage(
                        1,
                        1,
                        "Ann",
                        T,
                        "@Bartholomew " + tail,
                        0,
                        new long[] {2},
                        new int[] {1, 12});
        SessionMessage reply =
                new SessionMessage(2, 3, "Cy", T.plusSeconds(7200), "still true?", 1, null, null);
        SessionMessage before = reply.quoting(parentBob);
        SessionMessage after = reply.quoting(parentRenamed);
        assertThat(before.content().replace("Bob", "Bartholomew")).isEqualTo(after.content());
        assertThat(before.content()).contains("\"@Bob " + "x".repeat(98) + "…\") still true?");

        String stored = SessionTextRenderer.render("general", List.of(before));
        assertThat(SessionTextRenderer.matchesIgnoringNames(stored, List.of(after), false))
                .as("a rename inside a quote is a rename")
                .isTrue();
        SessionMessage edited =
                reply.quoting(
                        new SessionMessage(
                                1,
                                1,
                                "Ann",
                                T,
                                "@Bob " + "y" + tail,
                                0,
                                new long[] {2},
                                new int[] {1, 4}));
        assertThat(SessionTextRenderer.matchesIgnoringNames(stored, List.of(edited), false))
                .as("an edit of the quoted text is not")
                .isFalse();
    }
}
