package io.discordrag.indexer.job.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one channel's messages into conversation sessions: in (timestamp, id) order, a new session
 * starts wherever the time since the previous message exceeds the gap. The result depends only on
 * the set of messages, never on their arrival order, so streaming, backfill and replays agree.
 */
final class SessionGrouping {

    private SessionGrouping() {}

    public static List<List<SessionMessage>> sessions(
            java.util.Collection<SessionMessage> messages, Duration gap) {
        if (gap.isNegative() || gap.isZero()) {
            throw new IllegalArgumentException("session gap must be positive, got " + gap);
        }
        List<SessionMessage> ordered = new ArrayList<>(messages);
        ordered.sort(SessionMessage.ORDER);
        List<List<SessionMessage>> sessions = new ArrayList<>();
        List<SessionMessage> current = new ArrayList<>();
        for (SessionMessage m : ordered) {
            if (!current.isEmpty() && startsNewSession(current.get(current.size() - 1), m, gap)) {
                sessions.add(current);
                current = new ArrayList<>();
            }
            current.add(m);
        }
        if (!current.isEmpty()) {
            sessions.add(current);
        }
        return sessions;
    }

    /**
     * Whether {@code next}, following {@code previous} in (timestamp, id) order, starts a new
     * session.
     */
    public static boolean startsNewSession(
            SessionMessage previous, SessionMessage next, Duration gap) {
        return Duration.between(previous.timestamp(), next.timestamp()).compareTo(gap) > 0;
    }
}
