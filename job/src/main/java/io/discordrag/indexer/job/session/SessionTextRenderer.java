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
            sb.append(header(channelName)).append('\n');
        }
        for (int i = 0; i < ordered.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(line(ordered.get(i)));
        }
        return sb.toString();
    }

    /** The first line of a chunk of more than one message. */
    static String header(String channelName) {
        return "Conversation in #" + channelName + ":";
    }

    /** The rendered line of one message. */
    public static String line(SessionMessage m) {
        return "[" + m.authorName() + " @ " + MINUTE.format(m.timestamp()) + "]: " + m.content();
    }

    /**
     * Whether {@code text} — possibly cut to a prefix, as payloads are — is the rendering of {@code
     * messages} up to the author and channel names and the names rendered from mentions: same
     * messages, order, minutes and exact contents otherwise. Names are left out because a rename
     * does not re-index old sessions. A mentioned name may be any 1 to {@link #MAX_NAME_CHARS}
     * characters of its line, so an edit that only removes or changes text within that distance
     * after a mention (the rest of the line equal) can pass for a rename; every other character a
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

    /** The longest name a mention renders (Discord: 32 for user names, 100 for channel names). */
    static final int MAX_NAME_CHARS = 100;

    /**
     * Where {@code m}'s content ends in {@code text} if it starts at {@code from}, the names within
     * it (its name spans) allowed to differ: each may be any 1 to {@link #MAX_NAME_CHARS}
     * characters of one line. {@link #ENDS_INSIDE} if {@code text} ends before the content does and
     * agrees with it so far, else {@link #MISMATCH}. Linear in the names: the positions each
     * literal part can end at are kept as a set, never tried one path at a time.
     */
    private static int contentEnd(String text, int from, SessionMessage m) {
        String content = m.content();
        int[] spans = m.nameSpans();
        List<String> literals = new ArrayList<>();
        int last = 0;
        for (int i = 0; i + 1 < spans.length; i += 2) {
            literals.add(content.substring(last, spans[i]));
            last = spans[i + 1];
        }
        literals.add(content.substring(last));
        boolean endsInside = false;
        java.util.BitSet ends = new java.util.BitSet();
        String first = literals.get(0);
        if (text.startsWith(first, from)) {
            ends.set(from + first.length());
        } else if (isPrefixOf(text, from, first)) {
            return ENDS_INSIDE;
        }
        for (int l = 1; l < literals.size() && !ends.isEmpty(); l++) {
            String literal = literals.get(l);
            java.util.BitSet next = new java.util.BitSet();
            for (int p = ends.nextSetBit(0); p >= 0; p = ends.nextSetBit(p + 1)) {
                for (int q = p + 1; q <= Math.min(text.length(), p + MAX_NAME_CHARS); q++) {
                    if (text.charAt(q - 1) == '\n') {
                        break; // a name is on one line
                    }
                    if (text.startsWith(literal, q)) {
                        next.set(q + literal.length());
                    } else if (isPrefixOf(text, q, literal)) {
                        endsInside = true; // cut inside the name or the literal after it
                    }
                }
            }
            ends = next;
        }
        for (int e = ends.nextSetBit(0); e >= 0; e = ends.nextSetBit(e + 1)) {
            if (e == text.length()
                    || (text.charAt(e) == '\n'
                            && (e + 1 == text.length() || text.charAt(e + 1) == '['))) {
                return e; // the content ends where the text or the next message's line starts
            }
        }
        return endsInside ? ENDS_INSIDE : MISMATCH;
    }

    /** Whether the rest of {@code text} from {@code at} is a proper prefix of {@code s}. */
    private static boolean isPrefixOf(String text, int at, String s) {
        int rest = text.length() - at;
        return rest < s.length() && s.regionMatches(0, text, at, rest);
    }
}
