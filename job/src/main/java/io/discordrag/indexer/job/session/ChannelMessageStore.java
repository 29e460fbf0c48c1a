package io.discordrag.indexer.job.session;

import org.apache.flink.api.common.state.MapState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One channel's messages in keyed state, reachable by time: messages by id, a minute index (minute
 * → its messages' (time, id) pairs in order) and a day directory (day → its non-empty minutes). A
 * read of a time range costs the days and minutes it spans plus the messages in it, never the
 * channel's history; an append rewrites one minute's index. Eviction drops whole days.
 */
final class ChannelMessageStore {

    static final long MINUTE = 60_000L;
    static final long DAY = 86_400_000L;

    private final MapState<Long, SessionMessage> messages;
    private final MapState<Long, long[]> minutes;
    private final MapState<Long, long[]> days;

    ChannelMessageStore(
            MapState<Long, SessionMessage> messages,
            MapState<Long, long[]> minutes,
            MapState<Long, long[]> days) {
        this.messages = messages;
        this.minutes = minutes;
        this.days = days;
    }

    static long dayOf(long millis) {
        return Math.floorDiv(millis, DAY);
    }

    SessionMessage get(long id) throws Exception {
        return messages.get(id);
    }

    /** Stores {@code m}, which replaces {@code previous} (null if new). */
    void put(SessionMessage m, SessionMessage previous) throws Exception {
        long t = m.timestamp().toEpochMilli();
        if (previous != null && previous.timestamp().toEpochMilli() != t) {
            unindex(previous.id(), previous.timestamp().toEpochMilli());
        }
        messages.put(m.id(), m);
        if (previous == null || previous.timestamp().toEpochMilli() != t) {
            index(m.id(), t);
        }
    }

    void remove(SessionMessage previous) throws Exception {
        messages.remove(previous.id());
        unindex(previous.id(), previous.timestamp().toEpochMilli());
    }

    /** The stored messages with {@code from <= time <= to}, in (timestamp, id) order. */
    List<SessionMessage> between(long from, long to) throws Exception {
        List<SessionMessage> out = new ArrayList<>();
        if (from > to) {
            return out;
        }
        long firstMinute = Math.floorDiv(from, MINUTE);
        long lastMinute = Math.floorDiv(to, MINUTE);
        for (long d = dayOf(from); d <= dayOf(to); d++) {
            long[] dayMinutes = days.get(d);
            if (dayMinutes == null) {
                continue;
            }
            for (long minute : dayMinutes) {
                if (minute < firstMinute || minute > lastMinute) {
                    continue;
                }
                long[] pairs = minutes.get(minute);
                for (int i = 0; i < pairs.length; i += 2) {
                    if (pairs[i] >= from && pairs[i] <= to) {
                        out.add(messages.get(pairs[i + 1]));
                    }
                }
            }
        }
        return out;
    }

    /** Drops every message of the days {@code [fromDay, toDay)}; returns how many were dropped. */
    long evictDays(long fromDay, long toDay) throws Exception {
        long evicted = 0;
        for (long d = fromDay; d < toDay; d++) {
            long[] dayMinutes = days.get(d);
            if (dayMinutes == null) {
                continue;
            }
            for (long minute : dayMinutes) {
                long[] pairs = minutes.get(minute);
                for (int i = 1; i < pairs.length; i += 2) {
                    messages.remove(pairs[i]);
                    evicted++;
                }
                minutes.remove(minute);
            }
            days.remove(d);
        }
        return evicted;
    }

    private void index(long id, long t) throws Exception {
        long minute = Math.floorDiv(t, MINUTE);
        long[] pairs = minutes.get(minute);
        if (pairs == null) {
            minutes.put(minute, new long[] {t, id});
            long day = dayOf(t);
            long[] dayMinutes = days.get(day);
            days.put(day, insertSorted(dayMinutes == null ? new long[0] : dayMinutes, minute));
            return;
        }
        int at = pairs.length; // usually an append: walk back from the end
        while (at > 0 && (pairs[at - 2] > t || (pairs[at - 2] == t && pairs[at - 1] > id))) {
            at -= 2;
        }
        long[] grown = new long[pairs.length + 2];
        System.arraycopy(pairs, 0, grown, 0, at);
        grown[at] = t;
        grown[at + 1] = id;
        System.arraycopy(pairs, at, grown, at + 2, pairs.length - at);
        minutes.put(minute, grown);
    }

    private void unindex(long id, long t) throws Exception {
        long minute = Math.floorDiv(t, MINUTE);
        long[] pairs = minutes.get(minute);
        if (pairs == null) {
            return;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == id) {
                if (pairs.length == 2) {
                    minutes.remove(minute);
                    long day = dayOf(t);
                    long[] dayMinutes = days.get(day);
                    long[] left = removeValue(dayMinutes, minute);
                    if (left.length == 0) {
                        days.remove(day);
                    } else {
                        days.put(day, left);
                    }
                } else {
                    long[] shrunk = new long[pairs.length - 2];
                    System.arraycopy(pairs, 0, shrunk, 0, i);
                    System.arraycopy(pairs, i + 2, shrunk, i, pairs.length - i - 2);
                    minutes.put(minute, shrunk);
                }
                return;
            }
        }
    }

    private static long[] insertSorted(long[] values, long v) {
        int at = Arrays.binarySearch(values, v);
        if (at >= 0) {
            return values;
        }
        at = -at - 1;
        long[] out = new long[values.length + 1];
        System.arraycopy(values, 0, out, 0, at);
        out[at] = v;
        System.arraycopy(values, at, out, at + 1, values.length - at);
        return out;
    }

    private static long[] removeValue(long[] values, long v) {
        int at = Arrays.binarySearch(values, v);
        if (at < 0) {
            return values;
        }
        long[] out = new long[values.length - 1];
        System.arraycopy(values, 0, out, 0, at);
        System.arraycopy(values, at + 1, out, at, values.length - at - 1);
        return out;
    }
}
