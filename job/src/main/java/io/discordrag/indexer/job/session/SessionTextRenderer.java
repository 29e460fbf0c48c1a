package io.discordrag.indexer.job.session;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

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
     * messages} up to the author and channel names: same messages, order, minutes and exact
     * contents. Names are left out because a rename does not re-index old sessions; everything a
     * user wrote is compared.
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
            int contentStart = at + marker.length();
            String rest = text.substring(contentStart);
            if (!rest.startsWith(m.content())) {
                return cut && m.content().startsWith(rest);
            }
            pos = contentStart + m.content().length();
        }
        return pos == text.length();
    }
}
