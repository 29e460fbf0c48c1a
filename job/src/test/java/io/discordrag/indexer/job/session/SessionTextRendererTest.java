package io.discordrag.indexer.job.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session text format of DESIGN.md. */
class SessionTextRendererTest {

    @Test
    void rendersAConversationInTimestampThenIdOrderInUtc() {
        Instant t = Instant.parse("2024-05-01T22:59:59Z");
        List<SessionMessage> messages = List.of(
                new SessionMessage(30, 8, "Bob", t.plusSeconds(61), "second"),
                new SessionMessage(20, 7, SessionMessage.displayName("Ann G.", "ann"), t, "first"),
                new SessionMessage(10, 7, SessionMessage.displayName(null, "ann"), t, "same minute, lower id"));
        assertThat(SessionTextRenderer.render("general", messages)).isEqualTo(String.join("\n",
                "Conversation in #general:",
                "[ann @ 2024-05-01 22:59]: same minute, lower id",
                "[Ann G. @ 2024-05-01 22:59]: first",
                "[Bob @ 2024-05-01 23:01]: second"));
    }

    @Test
    void aSingleMessageHasNoHeader() {
        assertThat(SessionTextRenderer.render("general",
                List.of(new SessionMessage(1, 7, "ann", Instant.parse("2024-01-02T03:04:05Z"), "hi"))))
                .isEqualTo("[ann @ 2024-01-02 03:04]: hi");
    }

    @Test
    void missingNamesAndContentAreRenderedNotDropped() {
        SessionMessage m = new SessionMessage(1, 42, " ", Instant.EPOCH, null);
        assertThat(SessionTextRenderer.line(m)).isEqualTo("[user 42 @ 1970-01-01 00:00]: ");
    }
}
