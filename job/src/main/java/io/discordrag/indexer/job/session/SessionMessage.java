package io.discordrag.indexer.job.session;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One live message as it enters a session: id (Discord snowflake), author, author display name,
 * time and text (markup rendered, {@link DiscordMarkup}), and the links grouping reads: the message
 * it replies to ({@code 0}: none) and the users it mentions (ascending). {@code nameSpans} marks
 * where in {@code content} looked-up names stand (start, end pairs), so a comparison can ignore a
 * later rename. Ordered by (timestamp, id), the order sessions are rendered and chunked in. The
 * arrays are the message's own: never modify them.
 */
public record SessionMessage(
        long id,
        long authorId,
        String authorName,
        Instant timestamp,
        String content,
        long replyToId,
        long[] mentions,
        int[] nameSpans) {

    public static final Comparator<SessionMessage> ORDER =
            Comparator.comparing(SessionMessage::timestamp).thenComparingLong(SessionMessage::id);

    private static final long[] NO_IDS = new long[0];
    private static final int[] NO_SPANS = new int[0];

    public SessionMessage {
        Objects.requireNonNull(timestamp, "timestamp of message " + id);
        authorName =
                authorName == null || authorName.isBlank()
                        ? "user " + Long.toUnsignedString(authorId)
                        : authorName;
        content = content == null ? "" : content;
        mentions = mentions == null || mentions.length == 0 ? NO_IDS : mentions;
        nameSpans = nameSpans == null || nameSpans.length == 0 ? NO_SPANS : nameSpans;
    }

    /** A message with plain text: no reply, no mentions. */
    public SessionMessage(
            long id, long authorId, String authorName, Instant timestamp, String content) {
        this(id, authorId, authorName, timestamp, content, 0, NO_IDS, NO_SPANS);
    }

    /** The most characters of a parent's text a quoting reply carries ({@link #quoting}). */
    public static final int QUOTE_CHARS = 100;

    /**
     * This reply with the message it replies to quoted in front of its text: {@code (reply
     * to @Name, yyyy-MM-dd HH:mm: "first 100 characters") content}, line breaks of the quote as
     * spaces, the parent's name and the names in the quote marked as name spans. For a reply whose
     * parent lies in an earlier stretch of the channel, so its point says what it answers.
     */
    public SessionMessage quoting(SessionMessage parent) {
        StringBuilder prefix = new StringBuilder("(reply to @");
        int nameStart = prefix.length();
        prefix.append(parent.authorName);
        int nameEnd = prefix.length();
        prefix.append(", ")
                .append(SessionTextRenderer.MINUTE.format(parent.timestamp))
                .append(": \"");
        int quoteStart = prefix.length();
        String quote = parent.content;
        int[] ps = parent.nameSpans;
        // QUOTE_CHARS of the parent's own characters: names count for nothing and are never cut,
        // so a rename leaves the same quoted text around the names
        int cut = 0;
        int own = 0;
        int span = 0;
        while (cut < quote.length() && own < QUOTE_CHARS) {
            if (span + 1 < ps.length && cut == ps[span]) {
                cut = ps[span + 1];
                span += 2;
            } else {
                cut++;
                own++;
            }
        }
        if (cut > 0 && cut < quote.length() && Character.isHighSurrogate(quote.charAt(cut - 1))) {
            cut--;
        }
        prefix.append(quote, 0, cut);
        for (int i = quoteStart; i < prefix.length(); i++) {
            char ch = prefix.charAt(i);
            if (ch == '\n' || ch == '\r') {
                prefix.setCharAt(i, ' ');
            }
        }
        prefix.append(cut < quote.length() ? "…\") " : "\") ");
        int shift = prefix.length();
        int[] spans = new int[2 + countSpansBefore(ps, cut) * 2 + nameSpans.length];
        int k = 0;
        spans[k++] = nameStart;
        spans[k++] = nameEnd;
        for (int i = 0; i + 1 < ps.length && ps[i + 1] <= cut; i += 2) {
            spans[k++] = ps[i] + quoteStart;
            spans[k++] = ps[i + 1] + quoteStart;
        }
        for (int start : nameSpans) {
            spans[k++] = start + shift;
        }
        return new SessionMessage(
                id, authorId, authorName, timestamp, prefix + content, replyToId, mentions, spans);
    }

    private static int countSpansBefore(int[] spans, int cut) {
        int n = 0;
        for (int i = 0; i + 1 < spans.length && spans[i + 1] <= cut; i += 2) {
            n++;
        }
        return n;
    }

    /** The name a message is attributed to: the global (display) name if set, else the username. */
    public static String displayName(String globalName, String username) {
        return globalName != null && !globalName.isBlank() ? globalName : username;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionMessage m
                && id == m.id
                && authorId == m.authorId
                && replyToId == m.replyToId
                && authorName.equals(m.authorName)
                && timestamp.equals(m.timestamp)
                && content.equals(m.content)
                && Arrays.equals(mentions, m.mentions)
                && Arrays.equals(nameSpans, m.nameSpans);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, authorId, authorName, timestamp, content, replyToId)
                + 31 * Arrays.hashCode(mentions)
                + Arrays.hashCode(nameSpans);
    }

    @Override
    public String toString() {
        return "SessionMessage[id="
                + id
                + ", author="
                + authorName
                + ", timestamp="
                + timestamp
                + (replyToId == 0 ? "" : ", replyTo=" + replyToId)
                + (mentions.length == 0 ? "" : ", mentions=" + Arrays.toString(mentions))
                + ", content="
                + content
                + "]";
    }
}
