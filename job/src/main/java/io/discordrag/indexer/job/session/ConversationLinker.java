package io.discordrag.indexer.job.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Separates the interleaved conversations of one stretch of a channel (messages with no silence
 * longer than the gap between them): each message, in (timestamp, id) order, joins the conversation
 * of
 *
 * <ol>
 *   <li>the message it replies to (Discord's reply feature, {@code reply_to_id}), if that is in the
 *       stretch;
 *   <li>else the latest message of a user it mentions, if that user spoke within {@link
 *       Options#mentionWindow};
 *   <li>else the later of: its author's own previous message within {@link Options#ownWindow} (a
 *       speaker's turn goes on), and the latest message that addressed its author (replied to or
 *       mentioned them) within {@link Options#addressedWindow} (people answer whoever spoke to
 *       them);
 *   <li>else the conversation active within {@link Options#flowWindow} whose recent words it shares
 *       most (content words weighted by rarity in the stretch), if it shares enough;
 *   <li>else, if the message asks nothing (no {@code ?}): the only conversation active within the
 *       flow window, or, none being active (a lull inside the stretch), the conversation of the
 *       message before it — a quiet channel's unmarked answers stay with what they answer;
 *   <li>else it starts a conversation.
 * </ol>
 *
 * Conversations smaller than the minimum size join the large conversation with the message nearest
 * in time to their first message (the earlier on a tie), so every message the time-gap rule would
 * index is still indexed. The result is a function of the set of messages: arrival order never
 * matters.
 *
 * <p>Measured on the realistic generator (the grouping report, {@code exec@grouping}): rule 3's
 * second half and rule 5 keep two people's unmarked back-and-forth together, which the own-turn
 * rule alone splits into two monologues; windows of 5 minutes for rules 3–5 did better than 10.
 * Rule 5's lull case costs 3 points of purity there (the generator opens most conversations with a
 * question, which it does not apply to) and keeps a slow conversation of a quiet channel whole.
 */
public final class ConversationLinker {

    /** The windows and threshold of the rules. */
    public record Options(
            Duration mentionWindow,
            Duration ownWindow,
            Duration addressedWindow,
            Duration flowWindow,
            double minOverlap,
            int minMessages) {

        public static Options defaults(int minMessages) {
            return new Options(
                    Duration.ofMinutes(30),
                    Duration.ofMinutes(2),
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(5),
                    1.5,
                    minMessages);
        }
    }

    /** Why a message joined its conversation (for measurements). */
    public enum Link {
        REPLY,
        MENTION,
        OWN_TURN,
        ADDRESSED,
        WORDS,
        FLOW,
        NEW
    }

    private static final Set<String> STOPWORDS =
            Set.of(
                    ("the a an and or but if then so to of in on at for with from by is are was were be"
                                    + " been it its this that these those i you he she we they me my your our"
                                    + " their them his her what which who how why when where do does did done"
                                    + " have has had not no yes can could would should will just also too very"
                                    + " about there here than as all any some one get got like know think"
                                    + " yeah yep ok okay thanks thank lol really still now out up")
                            .split(" "));

    private final Options options;

    public ConversationLinker(Options options) {
        this.options = options;
    }

    /**
     * The conversations of one stretch, each in (timestamp, id) order, ordered by first message.
     */
    public List<List<SessionMessage>> split(Collection<SessionMessage> stretch) {
        return split(stretch, null);
    }

    /**
     * As {@link #split(Collection)}, recording in {@code links} (if not null) the rule each message
     * joined by.
     */
    public List<List<SessionMessage>> split(
            Collection<SessionMessage> stretch, Map<Long, Link> links) {
        List<SessionMessage> ordered = new ArrayList<>(stretch);
        ordered.sort(SessionMessage.ORDER);
        int n = ordered.size();
        Map<Long, Integer> indexOf = new HashMap<>();
        List<Set<String>> words = new ArrayList<>(n);
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (int i = 0; i < n; i++) {
            indexOf.put(ordered.get(i).id(), i);
            Set<String> w = contentWords(ownText(ordered.get(i)));
            words.add(w);
            for (String word : w) {
                documentFrequency.merge(word, 1, Integer::sum);
            }
        }
        int[] conversation = new int[n];
        Map<Long, Integer> lastByAuthor = new HashMap<>();
        // user -> index of the latest message that replied to or mentioned them
        Map<Long, Integer> lastAddressing = new HashMap<>();
        // conversation -> index of its latest message, in order of last activity
        LinkedHashMap<Integer, Integer> active = new LinkedHashMap<>();
        Map<Integer, Map<String, Double>> recentWords = new HashMap<>();
        int conversations = 0;
        for (int i = 0; i < n; i++) {
            SessionMessage m = ordered.get(i);
            long t = m.timestamp().toEpochMilli();
            Integer parent = null;
            Link link;
            Integer replied = m.replyToId() == 0 ? null : indexOf.get(m.replyToId());
            if (replied != null && replied < i) {
                parent = replied;
                link = Link.REPLY;
            } else {
                parent = mentioned(m, t, lastByAuthor, ordered);
                link = Link.MENTION;
                if (parent == null) {
                    Integer own = lastByAuthor.get(m.authorId());
                    if (own != null && t - time(ordered, own) <= options.ownWindow().toMillis()) {
                        parent = own;
                        link = Link.OWN_TURN;
                    }
                    Integer addressing = lastAddressing.get(m.authorId());
                    if (addressing != null
                            && t - time(ordered, addressing) <= options.addressedWindow().toMillis()
                            && (parent == null || addressing > parent)) {
                        parent = addressing;
                        link = Link.ADDRESSED;
                    }
                }
            }
            while (!active
                    .isEmpty()) { // forget conversations quiet for longer than the flow window
                Map.Entry<Integer, Integer> oldest = active.entrySet().iterator().next();
                if (t - ordered.get(oldest.getValue()).timestamp().toEpochMilli()
                        <= options.flowWindow().toMillis()) {
                    break;
                }
                active.remove(oldest.getKey());
                recentWords.remove(oldest.getKey());
            }
            int c;
            if (parent != null) {
                c = conversation[parent];
            } else {
                c =
                        bestByWords(
                                words.get(i),
                                t,
                                active,
                                recentWords,
                                ordered,
                                documentFrequency,
                                n);
                link = Link.WORDS;
                if (c < 0 && ownText(m).indexOf('?') < 0) {
                    if (active.size() == 1) {
                        c = active.keySet().iterator().next();
                        link = Link.FLOW;
                    } else if (active.isEmpty() && i > 0) {
                        c = conversation[i - 1]; // a lull within the stretch: it goes on
                        link = Link.FLOW;
                    }
                }
                if (c < 0) {
                    c = conversations++;
                    link = Link.NEW;
                }
            }
            conversation[i] = c;
            if (links != null) {
                links.put(m.id(), link);
            }
            lastByAuthor.put(m.authorId(), i);
            if (link == Link.REPLY && ordered.get(parent).authorId() != m.authorId()) {
                lastAddressing.put(ordered.get(parent).authorId(), i);
            }
            for (long user : m.mentions()) {
                if (user != m.authorId()) {
                    lastAddressing.put(user, i);
                }
            }
            active.remove(c);
            active.put(c, i);
            Map<String, Double> rw = recentWords.computeIfAbsent(c, k -> new HashMap<>());
            rw.replaceAll((k, v) -> v * 0.7); // recent words count most
            for (String word : words.get(i)) {
                rw.merge(word, 1.0, Double::sum);
            }
        }
        return absorbSmall(ordered, conversation, conversations);
    }

    /** The latest message, within the window, of a user {@code m} mentions (not its author). */
    private Integer mentioned(
            SessionMessage m,
            long t,
            Map<Long, Integer> lastByAuthor,
            List<SessionMessage> ordered) {
        Integer best = null;
        for (long user : m.mentions()) {
            if (user == m.authorId()) {
                continue;
            }
            Integer j = lastByAuthor.get(user);
            if (j != null
                    && t - ordered.get(j).timestamp().toEpochMilli()
                            <= options.mentionWindow().toMillis()
                    && (best == null || j > best)) {
                best = j;
            }
        }
        return best;
    }

    private int bestByWords(
            Set<String> words,
            long t,
            LinkedHashMap<Integer, Integer> active,
            Map<Integer, Map<String, Double>> recentWords,
            List<SessionMessage> ordered,
            Map<String, Integer> documentFrequency,
            int n) {
        int best = -1;
        double bestScore = options.minOverlap();
        for (Map.Entry<Integer, Integer> e : active.entrySet()) {
            if (t - ordered.get(e.getValue()).timestamp().toEpochMilli()
                    > options.flowWindow().toMillis()) {
                continue;
            }
            Map<String, Double> rw = recentWords.get(e.getKey());
            double score = 0;
            for (String w : words) {
                Double weight = rw.get(w);
                if (weight != null) {
                    score +=
                            Math.min(1.0, weight)
                                    * Math.log(1 + (double) n / documentFrequency.get(w));
                }
            }
            if (score > bestScore || (score == bestScore && best >= 0 && e.getKey() > best)) {
                bestScore = score;
                best = e.getKey();
            }
        }
        return best;
    }

    /**
     * The conversations in order of their first message, those below the minimum size merged into
     * the conversation with the message nearest in time (the earlier one on a tie).
     */
    private List<List<SessionMessage>> absorbSmall(
            List<SessionMessage> ordered, int[] conversation, int count) {
        int n = ordered.size();
        int[] size = new int[count];
        for (int c : conversation) {
            size[c]++;
        }
        int[] target = new int[count];
        for (int c = 0; c < count; c++) {
            target[c] = c;
        }
        boolean anyLarge = false;
        for (int s : size) {
            anyLarge |= s >= options.minMessages();
        }
        if (anyLarge) {
            // the nearest message of a large conversation before and after each message
            int[] before = new int[n];
            int[] after = new int[n];
            for (int i = 0, last = -1; i < n; i++) {
                last = size[conversation[i]] >= options.minMessages() ? i : last;
                before[i] = last;
            }
            for (int i = n - 1, next = -1; i >= 0; i--) {
                next = size[conversation[i]] >= options.minMessages() ? i : next;
                after[i] = next;
            }
            for (int i = 0; i < n; i++) {
                int c = conversation[i];
                if (size[c] >= options.minMessages() || target[c] != c) {
                    continue; // large, or placed by its first message
                }
                target[c] = conversation[nearer(ordered, i, before[i], after[i])];
            }
        } else if (n > 0) {
            java.util.Arrays.fill(target, 0); // all small: one conversation, as the gap rule
        }
        Map<Integer, List<SessionMessage>> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.computeIfAbsent(target[conversation[i]], k -> new ArrayList<>())
                    .add(ordered.get(i));
        }
        return new ArrayList<>(out.values());
    }

    /**
     * Of two candidate messages (-1: none), the one nearer in time to {@code i}; earlier on a tie.
     */
    private static int nearer(List<SessionMessage> ordered, int i, int before, int after) {
        if (before < 0) {
            return after;
        }
        if (after < 0) {
            return before;
        }
        long t = ordered.get(i).timestamp().toEpochMilli();
        long db = t - ordered.get(before).timestamp().toEpochMilli();
        long da = ordered.get(after).timestamp().toEpochMilli() - t;
        return da < db ? after : before;
    }

    /**
     * A message's text without the names looked up into it (mentions): a rename must not move a
     * message between conversations.
     */
    static String ownText(SessionMessage m) {
        int[] spans = m.nameSpans();
        if (spans.length == 0) {
            return m.content();
        }
        StringBuilder sb = new StringBuilder(m.content());
        for (int i = 0; i + 1 < spans.length; i += 2) {
            for (int j = spans[i]; j < spans[i + 1]; j++) {
                sb.setCharAt(j, ' ');
            }
        }
        return sb.toString();
    }

    private static long time(List<SessionMessage> ordered, int i) {
        return ordered.get(i).timestamp().toEpochMilli();
    }

    static Set<String> contentWords(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 3 && !STOPWORDS.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }
}
