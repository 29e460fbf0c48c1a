package io.discordrag.indexer.job.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The one home of the rules that turn a channel's messages into points: grouping into
 * conversations, chunking by the token budget, the minimum conversation size, point ids,
 * fingerprints, and which written points a change supersedes. The streaming and bounded {@link
 * Sessionizer} and {@code verify} all ask this class, so they cannot disagree. It knows nothing of
 * Flink: it reads messages and written points through {@link MessageSource} and {@link
 * PointSource}, which the caller backs with state, with PostgreSQL, or with a list.
 *
 * <p>Grouping is a function of the channel's message set. In (timestamp, id) order a
 * <em>stretch</em> ends where the next message is more than {@code session.gap} later; inside a
 * stretch {@link ConversationLinker} separates the interleaved conversations (with {@code
 * session.grouping=TIME_GAP} the stretch is one conversation). A reply whose parent lies in an
 * earlier stretch, at most {@code session.reply-window} older, quotes the parent ({@link
 * SessionMessage#quoting}). So a plan only ever reads what a change touches: from the changed time
 * range it reads outwards until it finds a silence longer than the gap on each side, the parents of
 * replies into earlier stretches, and the later stretches that reply into what it read ({@link
 * #plan}) — never the channel's whole history.
 */
public final class ConversationPlanner {

    private final SessionizerOptions options;
    private final long gapMillis;
    private final String model;
    private final ToIntFunction<String> tokenCounter;
    private final long replyWindowMillis;
    private final ConversationLinker linker;

    /**
     * @param model the embedding model id (part of every fingerprint)
     * @param tokenCounter tokens of a text with the model's own tokenizer (chunking)
     */
    public ConversationPlanner(
            SessionizerOptions options, String model, ToIntFunction<String> tokenCounter) {
        this.options = Objects.requireNonNull(options, "options cannot be null");
        this.model = Objects.requireNonNull(model, "model cannot be null");
        this.tokenCounter = Objects.requireNonNull(tokenCounter, "tokenCounter cannot be null");
        this.gapMillis = options.gap().toMillis();
        this.replyWindowMillis = options.replyWindow().toMillis();
        this.linker = linker(options);
    }

    private static ConversationLinker linker(SessionizerOptions options) {
        return options.grouping() == SessionizerOptions.Grouping.CONVERSATIONS
                ? new ConversationLinker(ConversationLinker.Options.defaults(options.minMessages()))
                : null;
    }

    /** The live messages of one channel in a time range. */
    @FunctionalInterface
    public interface MessageSource {
        /** Every live message with {@code fromMillis <= time <= toMillis}, in any order. */
        List<SessionMessage> between(long fromMillis, long toMillis) throws Exception;
    }

    /** The points already written for one channel. */
    @FunctionalInterface
    public interface PointSource {
        /**
         * Every written point (by id) whose first message lies in {@code [fromMillis, toMillis]}. A
         * plan only asks for ranges that are whole conversations, and a point never spans two, so
         * these are all the points that overlap the range.
         */
        Map<String, WrittenPoint> startingBetween(long fromMillis, long toMillis) throws Exception;
    }

    /**
     * What one flush of a channel plans.
     *
     * @param dirty the time ranges that changed since the last plan ({@code [from, to]} pairs of
     *     epoch milliseconds; the old and the new time of a moved message both count)
     * @param clock the channel's event clock (the latest message time it has seen), or the wall
     *     clock when that is later: the last stretch is open while this is within the gap of its
     *     end
     * @param closeAll plan every stretch as closed (idle timeout, end of a bounded input)
     * @param openFrom start of the stretch the last plan left open ({@link Long#MAX_VALUE} for
     *     none): its conversations were counted as opened then, and are counted as emitted when it
     *     closes
     * @param openTo end of that stretch
     */
    public record Request(
            ChannelRef channel,
            List<long[]> dirty,
            long clock,
            boolean closeAll,
            long openFrom,
            long openTo) {

        /** A request after a plan that left no stretch open. */
        public Request(ChannelRef channel, List<long[]> dirty, long clock, boolean closeAll) {
            this(channel, dirty, clock, closeAll, Long.MAX_VALUE, Long.MIN_VALUE);
        }

        boolean wasOpen(Conversation c) {
            return openFrom <= c.startMillis() && c.startMillis() <= openTo;
        }
    }

    /**
     * A conversation of a closed stretch that got an upsert or was open at the last plan, and its
     * number of points.
     */
    public record Emitted(Conversation conversation, int chunks) {}

    /** A point to delete and what was written for it. */
    public record Deleted(String pointId, WrittenPoint was) {}

    /**
     * The result of a plan.
     *
     * @param upserts points to write (new, or their fingerprint changed), the open stretch's too
     * @param deletes written points that no conversation produces any more
     * @param unchanged planned points already written with the same fingerprint
     * @param emitted conversations of closed stretches that have points and got an upsert or were
     *     open at the last plan (so one that closes as it was written counts once)
     * @param opened conversations seen for the first time
     * @param merged written conversations that became part of another
     * @param belowMinimum closed conversations too small to index
     * @param open the channel's last stretch while it may still grow (its messages as one
     *     conversation, for its time range), or null
     * @param messagesRead messages the plan read (its cost)
     */
    public record Plan(
            List<PlannedPoint> upserts,
            List<Deleted> deletes,
            int unchanged,
            List<Emitted> emitted,
            int opened,
            int merged,
            int belowMinimum,
            Conversation open,
            long messagesRead) {}

    /**
     * Plans the points around the changed time ranges: reads each range widened to whole
     * conversations, groups and chunks them, and compares with the points written there. The last
     * stretch is planned too, as it stands (provisional points under their final ids: appending to
     * a conversation changes its last chunk in place); it is reported {@link Plan#open} while the
     * clock is within the gap of its end, unless {@code closeAll}.
     */
    public Plan plan(Request request, MessageSource messages, PointSource points) throws Exception {
        List<Window> windows = new ArrayList<>();
        for (long[] range : request.dirty()) {
            windows.add(window(range[0], range[1], messages));
        }
        windows = withReplyingStretches(merge(windows), request.clock(), messages);
        List<PlannedPoint> upserts = new ArrayList<>();
        List<Deleted> deletes = new ArrayList<>();
        List<Emitted> emitted = new ArrayList<>();
        int unchanged = 0;
        int opened = 0;
        int merged = 0;
        int belowMinimum = 0;
        Conversation open = null;
        long read = 0;
        for (Window w : windows) {
            read += w.messages.size();
            Map<String, WrittenPoint> written = points.startingBetween(w.from, w.to);
            Set<Long> knownConversations = new HashSet<>();
            for (WrittenPoint p : written.values()) {
                knownConversations.add(p.conversationFirstMessageId());
            }
            List<Stretch> stretches = quoted(w, messages);
            Stretch lastStretch = stretches.isEmpty() ? null : stretches.get(stretches.size() - 1);
            Map<String, PlannedPoint> desired = new LinkedHashMap<>();
            for (Stretch stretch : stretches) {
                boolean isOpen = stretch == lastStretch && isOpen(request, stretch);
                for (Conversation c : split(stretch)) {
                    if (!w.hop()) {
                        if (!knownConversations.contains(c.firstMessageId())
                                && !request.wasOpen(c)) {
                            opened++;
                        }
                        // written conversations that are part of c now, beyond the first
                        Set<Long> joined = new HashSet<>();
                        for (SessionMessage m : c.messages()) {
                            if (knownConversations.contains(m.id())) {
                                joined.add(m.id());
                            }
                        }
                        merged += Math.max(0, joined.size() - 1);
                    }
                    if (c.size() < options.minMessages()) {
                        belowMinimum += w.hop() || isOpen ? 0 : 1;
                        continue;
                    }
                    boolean changed = false;
                    List<PlannedPoint> planned = points(request.channel(), c);
                    for (PlannedPoint p : planned) {
                        desired.put(p.pointId(), p);
                        WrittenPoint old = written.get(p.pointId());
                        if (old != null && old.fingerprint().equals(p.fingerprint())) {
                            unchanged++;
                        } else {
                            upserts.add(p);
                            changed = true;
                        }
                    }
                    if (!isOpen && !w.hop() && (changed || request.wasOpen(c))) {
                        emitted.add(new Emitted(c, planned.size()));
                    }
                }
                if (isOpen) {
                    open = new Conversation(stretch.quoted());
                }
            }
            for (Map.Entry<String, WrittenPoint> e : written.entrySet()) {
                if (!desired.containsKey(e.getKey())) {
                    deletes.add(new Deleted(e.getKey(), e.getValue()));
                }
            }
        }
        return new Plan(
                upserts, deletes, unchanged, emitted, opened, merged, belowMinimum, open, read);
    }

    /**
     * Adds to the windows the later stretches (within the reply window, up to the clock) holding a
     * reply to a message before them: its quote may have changed with the windows' messages. One
     * hop: a quote is made of its parent alone, so nothing later depends on those stretches.
     */
    private List<Window> withReplyingStretches(
            List<Window> windows, long clock, MessageSource source) throws Exception {
        if (linker == null) {
            return windows;
        }
        List<Window> out = new ArrayList<>(windows);
        for (Window w : windows) {
            long to = Math.min(w.to + replyWindowMillis, clock);
            if (to <= w.to) {
                continue;
            }
            List<SessionMessage> later = source.between(w.to + 1, to);
            Map<Long, SessionMessage> laterIds = new HashMap<>();
            for (SessionMessage m : later) {
                laterIds.put(m.id(), m);
            }
            for (SessionMessage m : later) {
                // a parent read here and unchanged (outside every window) cannot change the quote
                SessionMessage parent = laterIds.get(m.replyToId());
                boolean parentUnchanged = parent != null && !covered(windows, time(parent));
                if (m.replyToId() != 0 && !parentUnchanged && !covered(out, time(m))) {
                    out.add(window(time(m), time(m), source).asHop());
                }
            }
        }
        return merge(out);
    }

    private static boolean covered(List<Window> windows, long t) {
        for (Window w : windows) {
            if (w.from <= t && t <= w.to) {
                return true;
            }
        }
        return false;
    }

    /**
     * One stretch of a channel: its messages as they are, and with each reply to a message of an
     * earlier stretch (within the reply window) quoting it. Grouping reads the former (a quote's
     * words and names must not move a message), points are made of the latter.
     */
    private record Stretch(List<SessionMessage> raw, List<SessionMessage> quoted) {}

    /** The window's stretches; the parents before the window are read. */
    private List<Stretch> quoted(Window w, MessageSource source) throws Exception {
        List<List<SessionMessage>> stretches = SessionGrouping.sessions(w.messages, options.gap());
        Map<Long, SessionMessage> byId = new HashMap<>();
        if (linker != null) {
            long earliestOutside = Long.MAX_VALUE;
            for (SessionMessage m : w.messages) {
                byId.put(m.id(), m);
            }
            for (SessionMessage m : w.messages) {
                if (m.replyToId() != 0 && !byId.containsKey(m.replyToId())) {
                    earliestOutside = Math.min(earliestOutside, time(m));
                }
            }
            if (earliestOutside != Long.MAX_VALUE && earliestOutside - replyWindowMillis < w.from) {
                for (SessionMessage m :
                        source.between(earliestOutside - replyWindowMillis, w.from - 1)) {
                    byId.putIfAbsent(m.id(), m);
                }
            }
        }
        return quote(stretches, byId);
    }

    /** Each reply to a message of an earlier stretch within the reply window, quoting it. */
    private List<Stretch> quote(
            List<List<SessionMessage>> stretches, Map<Long, SessionMessage> byId) {
        List<Stretch> out = new ArrayList<>(stretches.size());
        for (List<SessionMessage> stretch : stretches) {
            long stretchStart = time(stretch.get(0));
            List<SessionMessage> q = null;
            for (int i = 0; linker != null && i < stretch.size(); i++) {
                SessionMessage m = stretch.get(i);
                SessionMessage parent = m.replyToId() == 0 ? null : byId.get(m.replyToId());
                if (parent != null
                        && time(parent) < stretchStart
                        && time(m) - time(parent) <= replyWindowMillis) {
                    if (q == null) {
                        q = new ArrayList<>(stretch);
                    }
                    q.set(i, m.quoting(parent));
                }
            }
            out.add(new Stretch(stretch, q == null ? stretch : q));
        }
        return out;
    }

    /** The conversations of one stretch, in order of their first message. */
    private List<Conversation> split(Stretch stretch) {
        if (linker == null) {
            return List.of(new Conversation(stretch.quoted()));
        }
        Map<Long, SessionMessage> quoted = new HashMap<>();
        if (stretch.quoted() != stretch.raw()) {
            for (SessionMessage m : stretch.quoted()) {
                quoted.put(m.id(), m);
            }
        }
        List<Conversation> out = new ArrayList<>();
        for (List<SessionMessage> c : linker.split(stretch.raw())) {
            if (!quoted.isEmpty()) {
                c = c.stream().map(m -> quoted.get(m.id())).toList();
            }
            out.add(new Conversation(c));
        }
        return out;
    }

    /**
     * The channel's last stretch stays open while the clock is within the gap of its end (then it
     * is the channel's last), unless everything closes.
     */
    private boolean isOpen(Request request, Stretch last) {
        return !request.closeAll()
                && request.clock() - time(last.raw().get(last.raw().size() - 1)) <= gapMillis;
    }

    /** The points of one conversation: none below {@code session.min-messages}. */
    public List<PlannedPoint> points(ChannelRef channel, Conversation conversation) {
        if (conversation.size() < options.minMessages()) {
            return List.of();
        }
        List<List<SessionMessage>> chunks =
                SessionChunker.chunks(
                        channel.channelName(),
                        conversation.messages(),
                        tokenCounter,
                        options.maxTokens());
        List<PlannedPoint> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            List<SessionMessage> chunk = chunks.get(i);
            String text = SessionTextRenderer.render(channel.channelName(), chunk);
            long[] ids = chunk.stream().mapToLong(SessionMessage::id).toArray();
            out.add(
                    new PlannedPoint(
                            PointIds.forChunk(channel.guildId(), channel.channelId(), ids[0])
                                    .toString(),
                            i,
                            conversation.firstMessageId(),
                            chunk,
                            text,
                            fingerprint(model, ids, text, conversation.firstMessageId())));
        }
        return out;
    }

    /** The conversations of a complete set of one channel's messages (any order), in order. */
    public List<Conversation> group(Collection<SessionMessage> messages) {
        Map<Long, SessionMessage> byId = new HashMap<>();
        for (SessionMessage m : messages) {
            byId.put(m.id(), m);
        }
        List<Conversation> out = new ArrayList<>();
        for (Stretch stretch : quote(SessionGrouping.sessions(messages, options.gap()), byId)) {
            out.addAll(split(stretch));
        }
        return out;
    }

    /** {@link #group} for callers without a tokenizer (reports, the demo, benchmarks). */
    public static List<Conversation> conversations(
            Collection<SessionMessage> messages, SessionizerOptions options) {
        return new ConversationPlanner(options, "", text -> 0).group(messages);
    }

    /**
     * Groups messages that arrive in (timestamp, id) order, one at a time, as {@code verify} reads
     * a table: memory is one stretch and the messages within the reply window before it.
     */
    public Scan scan() {
        return new Scan();
    }

    /** See {@link #scan()}. */
    public final class Scan {
        private final List<SessionMessage> current = new ArrayList<>();

        /** Messages of earlier stretches within the reply window of the latest, oldest first. */
        private final LinkedHashMap<Long, SessionMessage> recent = new LinkedHashMap<>();

        private Scan() {}

        /**
         * Adds the next message; returns the conversations of the stretch it closed (none if it
         * closed none).
         *
         * @throws IllegalArgumentException if {@code m} comes before the previous message
         */
        public List<Conversation> add(SessionMessage m) {
            List<Conversation> closed = List.of();
            if (!current.isEmpty()) {
                SessionMessage previous = current.get(current.size() - 1);
                if (SessionMessage.ORDER.compare(previous, m) > 0) {
                    throw new IllegalArgumentException(
                            "messages must arrive in (timestamp, id) order: "
                                    + m.id()
                                    + " after "
                                    + previous.id());
                }
                if (SessionGrouping.startsNewSession(previous, m, options.gap())) {
                    closed = close();
                }
            }
            current.add(m);
            return closed;
        }

        /** The conversations of the last stretch, closed by the end of the input. */
        public List<Conversation> finish() {
            return current.isEmpty() ? List.of() : close();
        }

        private List<Conversation> close() {
            List<SessionMessage> stretch = List.copyOf(current);
            current.clear();
            long horizon = time(stretch.get(0)) - replyWindowMillis;
            recent.values().removeIf(m -> time(m) < horizon);
            List<Conversation> out = split(quote(List.of(stretch), recent).get(0));
            if (linker == null) {
                return out;
            }
            for (SessionMessage m : stretch) {
                recent.put(m.id(), m);
            }
            return out;
        }
    }

    /**
     * Hash of what a point's vector and payload are made of; equal fingerprints need no
     * re-embedding.
     */
    public static String fingerprint(String model, long[] messageIds, String text) {
        return fingerprint(model, messageIds, text, messageIds.length == 0 ? 0 : messageIds[0]);
    }

    /**
     * {@link #fingerprint(String, long[], String)} of a point whose conversation starts at {@code
     * conversationId}: a later chunk whose conversation changed gets a new fingerprint (its payload
     * names the conversation) even when its messages and text did not; a first chunk's fingerprint
     * is the one without it.
     */
    public static String fingerprint(
            String model, long[] messageIds, String text, long conversationId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(model.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            for (long id : messageIds) {
                sha.update(Long.toString(id).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) ',');
            }
            sha.update((byte) 0);
            if (messageIds.length == 0 || conversationId != messageIds[0]) {
                sha.update(("conversation " + conversationId).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of()
                    .formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * A time range read whole, widened on both sides to a silence longer than the gap.
     *
     * @param hop read only because a later stretch may quote what changed (its own messages did not
     *     change): planned, not counted as seen again
     */
    private record Window(long from, long to, List<SessionMessage> messages, boolean hop) {
        Window(long from, long to, List<SessionMessage> messages) {
            this(from, to, messages, false);
        }

        Window asHop() {
            return new Window(from, to, messages, true);
        }
    }

    /**
     * Reads {@code [from - gap, to + gap]}, then keeps reading outwards while the earliest (latest)
     * message read could have a neighbour within the gap outside what was read.
     */
    private Window window(long from, long to, MessageSource source) throws Exception {
        long lo = from - gapMillis;
        long hi = to + gapMillis;
        List<SessionMessage> ms = new ArrayList<>(source.between(lo, hi));
        ms.sort(SessionMessage.ORDER);
        while (!ms.isEmpty() && time(ms.get(0)) - gapMillis < lo) {
            long newLo = time(ms.get(0)) - gapMillis;
            List<SessionMessage> more = source.between(newLo, lo - 1);
            lo = newLo;
            if (more.isEmpty()) {
                break;
            }
            more = new ArrayList<>(more);
            more.sort(SessionMessage.ORDER);
            more.addAll(ms);
            ms = more;
        }
        while (!ms.isEmpty() && time(ms.get(ms.size() - 1)) + gapMillis > hi) {
            long newHi = time(ms.get(ms.size() - 1)) + gapMillis;
            List<SessionMessage> more = new ArrayList<>(source.between(hi + 1, newHi));
            hi = newHi;
            if (more.isEmpty()) {
                break;
            }
            more.sort(SessionMessage.ORDER);
            ms.addAll(more);
        }
        return new Window(lo, hi, ms);
    }

    /** Windows that overlap become one (their messages de-duplicated by id). */
    private static List<Window> merge(List<Window> windows) {
        if (windows.size() < 2) {
            return windows;
        }
        List<Window> sorted = new ArrayList<>(windows);
        sorted.sort((a, b) -> Long.compare(a.from, b.from));
        List<Window> out = new ArrayList<>();
        Window current = sorted.get(0);
        for (Window w : sorted.subList(1, sorted.size())) {
            if (w.from <= current.to) {
                Map<Long, SessionMessage> union = new LinkedHashMap<>();
                for (SessionMessage m : current.messages) {
                    union.put(m.id(), m);
                }
                for (SessionMessage m : w.messages) {
                    union.putIfAbsent(m.id(), m);
                }
                List<SessionMessage> ms = new ArrayList<>(union.values());
                ms.sort(SessionMessage.ORDER);
                current =
                        new Window(
                                current.from, Math.max(current.to, w.to), ms, current.hop && w.hop);
            } else {
                out.add(current);
                current = w;
            }
        }
        out.add(current);
        return out;
    }

    private static long time(SessionMessage m) {
        return m.timestamp().toEpochMilli();
    }
}
