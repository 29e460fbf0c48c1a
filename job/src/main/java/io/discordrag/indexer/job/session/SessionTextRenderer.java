package io.discordrag.indexer.job.session;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one session text renderer (DESIGN: session text): one line per message, {@code [<name> @
 * <yyyy-MM-dd HH:mm>]: <content>} in UTC, in (timestamp, id) order; a session of more than one
 * message starts with {@code Conversation in #<channel>:}. The sessionizer (streaming and backfill
 * alike) renders and token-counts chunks through this class, and {@code verify} checks stored
 * payloads against it, so the same messages always give the same text. Search only returns the
 * stored text; it renders nothing.
 */
public final class SessionTextRenderer {

    static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private SessionTextRenderer() {}

    public static String render(String channelName, List<SessionMessage> messages) {
        List<SessionMessage> ordered = new ArrayList<>(messages);
        ordered.sort(SessionMessage.ORDER);
        StringBuilder sb = new StringBuilder();
        if (ordered.size() > 1) {
            sb.append("Conversation in #").append(channelName).append(":\n");
        }
        for (int i = 0; i < ordered.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(line(ordered.get(i)));
        }
        return sb.toString();
    }

    /** The rendered line of one message. */
    public static String line(SessionMessage m) {
        return "[" + m.authorName() + " @ " + MINUTE.format(m.timestamp()) + "]: " + m.content();
    }

    /**
     * Whether {@code text} — possibly cut to a prefix, as payloads are — is the rendering of {@code
     * messages} up to the author and channel names and the names rendered from mentions: same
     * messages, order, minutes and exact contents otherwise. Names are left out because a rename
     * does not re-index old sessions; everything a user wrote is compared.
     */
    public static boolean matchesIgnoringNames(
            String text, List<SessionMessage> messages, boolean cut) {
        List<SessionMessage> ordered = new ArrayList<>(messages);
        ordered.sort(SessionMessage.ORDER);
        int pos = 0;
        if (ordered.size() > 1) {
            String header = "Conversation in #";
            int lineEnd = text.indexOf('\n');
            if (!text.startsWith(header) || lineEnd < 0) {
                return cut && lineEnd < 0 && (text.startsWith(header) || header.startsWith(text));
            }
            pos = lineEnd + 1;
        }
        for (int i = 0; i < ordered.size(); i++) {
            SessionMessage m = ordered.get(i);
            if (i > 0) {
                if (pos == text.length()) {
                    return cut;
                }
                if (text.charAt(pos) != '\n') {
                    return false;
                }
                pos++;
            }
            if (pos == text.length()) {
                return cut;
            }
            if (text.charAt(pos) != '[') {
                return false;
            }
            String marker = " @ " + MINUTE.format(m.timestamp()) + "]: ";
            int at = text.indexOf(marker, pos);
            int newline = text.indexOf('\n', pos);
            if (at < 0 || (newline >= 0 && newline < at)) {
                // only where the text was cut may the marker be missing (what is left may be part
                // of a name)
                return cut && newline < 0;
            }
            int end = contentEnd(text, at + marker.length(), m);
            if (end < 0) {
                return cut && end == ENDS_INSIDE;
            }
            pos = end;
        }
        return pos == text.length();
    }

    private static final int MISMATCH = -1;
    private static final int ENDS_INSIDE = -2;

    /**
     * Where {@code m}'s content ends in {@code text} if it starts at {@code from}, names within it
     * (its name spans) allowed to differ; {@link #ENDS_INSIDE} if {@code text} ends before the
     * content does and agrees with it so far, else {@link #MISMATCH}.
     */
    private static int contentEnd(String text, int from, SessionMessage m) {
        String content = m.content();
        int[] spans = m.nameSpans();
        if (spans.length == 0) {
            if (text.startsWith(content, from)) {
                return from + content.length();
            }
            return content.startsWith(text.substring(from)) ? ENDS_INSIDE : MISMATCH;
        }
        StringBuilder regex = new StringBuilder();
        int last = 0;
        for (int i = 0; i + 1 < spans.length; i += 2) {
            regex.append(Pattern.quote(content.substring(last, spans[i]))).append("[^\\n]*?");
            last = spans[i + 1];
        }
        regex.append(Pattern.quote(content.substring(last))).append("(?=\\n\\[|\\z)");
        Matcher matcher = Pattern.compile(regex.toString()).matcher(text);
        matcher.region(from, text.length());
        if (matcher.lookingAt()) {
            return matcher.end();
        }
        return matcher.hitEnd() ? ENDS_INSIDE : MISMATCH;
    }
}
