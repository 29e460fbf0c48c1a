package io.discordrag.indexer.job.session;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one session text renderer (DESIGN: session text): one line per message,
 * {@code [<name> @ <yyyy-MM-dd HH:mm>]: <content>} in UTC, in (timestamp, id) order; a session of more
 * than one message starts with {@code Conversation in #<channel>:}. Streaming, backfill, search and
 * verify all render through this class, so the same messages always give the same text.
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
}
