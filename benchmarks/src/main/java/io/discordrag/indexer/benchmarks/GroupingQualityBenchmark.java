package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.session.ChannelRef;
import io.discordrag.indexer.job.session.Conversation;
import io.discordrag.indexer.job.session.ConversationLinker;
import io.discordrag.indexer.job.session.ConversationPlanner;
import io.discordrag.indexer.job.session.DiscordMarkup;
import io.discordrag.indexer.job.session.PlannedPoint;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.session.SessionizerOptions.Grouping;
import io.discordrag.indexer.testing.data.ConversationalChat;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.VectorMath;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * How well points hold conversations, on {@link ConversationalChat}'s realistic interleaved chat
 * with its ground truth, for time-gap grouping and conversation linking side by side in one run:
 *
 * <ul>
 *   <li>co-location: share of ground-truth (message, the message it responds to) pairs whose two
 *       messages share a point;
 *   <li>purity: per point, the share of its messages from its main conversation, averaged;
 *   <li>messages per point;
 *   <li>retrieval: for a sample of question messages, the guild's points ranked by cosine
 *       similarity to the question's text; hit@5 when a top-5 point holds a reply to the question
 *       (a message responding to it), MRR of the first such point.
 * </ul>
 *
 * <p>Arguments: messages, questions sampled, seed.
 */
public final class GroupingQualityBenchmark {

    private GroupingQualityBenchmark() {}

    /** One grouping's points and figures. */
    record Result(
            String name,
            List<Point> points,
            double coLocation,
            double purity,
            double messagesPerPoint,
            double hitAt5,
            double mrr) {}

    record Point(long guild, List<Long> messageIds, String text) {}

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int questions = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        ConversationalChat.Generated data =
                ConversationalChat.generate(ConversationalChat.Spec.of(messages).withSeed(seed));
        SessionizerOptions options = SessionizerOptions.builder().build();
        EmbeddingOptions embedding = EmbeddingOptions.builder().build();
        System.out.printf(
                Locale.ROOT,
                "grouping quality: %d messages (%d channels), seed %d, %s, model %s%n",
                data.dataset().messages().size(),
                data.dataset().channels().size(),
                seed,
                options,
                embedding.model().id());
        try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(embedding)) {
            Map<ChannelRef, List<SessionMessage>> channels = sessionMessages(data.dataset());
            ToIntFunction<String> tokens = lease.model().tokenizer()::countTokens;
            SessionizerOptions gapOnly = with(options, Grouping.TIME_GAP, options.maxTokens());
            List<Point> linked = points(options, channels, tokens);
            double size = linked.stream().mapToInt(p -> p.messageIds().size()).average().orElse(0);
            // time-gap points of about the linked points' size: the smallest budget reaching it
            int lo = 32;
            int hi = options.maxTokens();
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                List<Point> p = points(with(options, Grouping.TIME_GAP, mid), channels, tokens);
                if (p.stream().mapToInt(x -> x.messageIds().size()).average().orElse(0) < size) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            List<Result> results = new ArrayList<>();
            results.add(
                    measure(
                            "time-gap",
                            points(gapOnly, channels, tokens),
                            data,
                            questions,
                            lease,
                            seed));
            results.add(
                    measure(
                            "time-gap@" + lo,
                            points(with(options, Grouping.TIME_GAP, lo), channels, tokens),
                            data,
                            questions,
                            lease,
                            seed));
            results.add(measure("linked", linked, data, questions, lease, seed));
            Map<ConversationLinker.Link, Integer> links =
                    new EnumMap<>(ConversationLinker.Link.class);
            ConversationLinker linker =
                    new ConversationLinker(
                            ConversationLinker.Options.defaults(options.minMessages()));
            Map<Long, ConversationLinker.Link> joined = new HashMap<>();
            for (List<SessionMessage> channel : channels.values()) {
                for (Conversation stretch : ConversationPlanner.conversations(channel, gapOnly)) {
                    linker.split(stretch.messages(), joined);
                }
            }
            joined.values().forEach(l -> links.merge(l, 1, Integer::sum));
            System.out.printf(Locale.ROOT, "linked: messages joined by %s%n", links);
            System.out.printf(
                    Locale.ROOT,
                    "time-gap is the job's budget (%d tokens); time-gap@N is the same grouping with"
                            + " a budget of N tokens, the smallest whose points are as large as the"
                            + " linked ones (the comparison at a comparable size)%n",
                    options.maxTokens());
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %8s %12s %8s %10s %8s %7s%n",
                    "grouping",
                    "points",
                    "co-location",
                    "purity",
                    "msgs/point",
                    "hit@5",
                    "MRR");
            for (Result r : results) {
                System.out.printf(
                        Locale.ROOT,
                        "RESULT %-16s %8d %11.1f%% %7.1f%% %10.2f %7.1f%% %7.3f%n",
                        r.name(),
                        r.points().size(),
                        100 * r.coLocation(),
                        100 * r.purity(),
                        r.messagesPerPoint(),
                        100 * r.hitAt5(),
                        r.mrr());
            }
        }
    }

    static SessionizerOptions with(SessionizerOptions o, Grouping grouping, int maxTokens) {
        return SessionizerOptions.builder()
                .gap(o.gap())
                .minMessages(o.minMessages())
                .replyWindow(o.replyWindow())
                .maxTokens(maxTokens)
                .grouping(grouping)
                .build();
    }

    /** The points the job makes of every channel with these options. */
    static List<Point> points(
            SessionizerOptions options,
            Map<ChannelRef, List<SessionMessage>> channels,
            ToIntFunction<String> tokens) {
        ConversationPlanner planner = new ConversationPlanner(options, "report", tokens);
        List<Point> points = new ArrayList<>();
        for (Map.Entry<ChannelRef, List<SessionMessage>> e : channels.entrySet()) {
            for (Conversation c : planner.group(e.getValue())) {
                for (PlannedPoint p : planner.points(e.getKey(), c)) {
                    List<Long> ids = new ArrayList<>();
                    for (long id : p.messageIds()) {
                        ids.add(id);
                    }
                    points.add(new Point(e.getKey().guildId(), ids, p.text()));
                }
            }
        }
        return points;
    }

    /** Each channel's messages as the job reads them: markup rendered with the directory. */
    static Map<ChannelRef, List<SessionMessage>> sessionMessages(SyntheticChat.Dataset data)
            throws Exception {
        Map<Long, String> users = new HashMap<>();
        for (SyntheticChat.User u : data.users()) {
            users.put(u.id(), SessionMessage.displayName(u.globalName(), u.username()));
        }
        Map<Long, SyntheticChat.Channel> channels = new HashMap<>();
        data.channels().forEach(c -> channels.put(c.id(), c));
        Map<ChannelRef, List<SessionMessage>> out = new LinkedHashMap<>();
        for (SyntheticChat.Message m : data.messages()) {
            SyntheticChat.Channel ch = channels.get(m.channelId());
            DiscordMarkup.Rendered r =
                    DiscordMarkup.render(
                            m.content(),
                            DiscordMarkup.Names.of(
                                    users::get,
                                    id -> {
                                        SyntheticChat.Channel c = channels.get(id);
                                        return c != null && c.guildId() == ch.guildId()
                                                ? c.name()
                                                : null;
                                    }));
            out.computeIfAbsent(
                            new ChannelRef(ch.guildId(), ch.id(), ch.name()),
                            k -> new ArrayList<>())
                    .add(
                            new SessionMessage(
                                    m.id(),
                                    m.authorId(),
                                    users.get(m.authorId()),
                                    m.timestamp(),
                                    r.text(),
                                    m.replyToId() == null ? 0 : m.replyToId(),
                                    r.mentionedUserIds(),
                                    r.nameSpans()));
        }
        return out;
    }

    static Result measure(
            String name,
            List<Point> points,
            ConversationalChat.Generated data,
            int questions,
            EmbeddingModelPool.Lease lease,
            long seed) {
        Map<Long, Integer> pointOf = new HashMap<>();
        double puritySum = 0;
        long inPoints = 0;
        for (int i = 0; i < points.size(); i++) {
            Map<Long, Integer> perConversation = new HashMap<>();
            for (long id : points.get(i).messageIds()) {
                pointOf.put(id, i);
                perConversation.merge(data.truth().get(id).conversation(), 1, Integer::sum);
            }
            int main =
                    perConversation.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            puritySum += main / (double) points.get(i).messageIds().size();
            inPoints += points.get(i).messageIds().size();
        }
        long pairs = 0;
        long together = 0;
        Map<Long, List<Long>> repliesTo = new HashMap<>();
        for (Map.Entry<Long, ConversationalChat.Truth> e : data.truth().entrySet()) {
            long parent = e.getValue().respondsTo();
            if (parent == 0) {
                continue;
            }
            repliesTo.computeIfAbsent(parent, k -> new ArrayList<>()).add(e.getKey());
            Integer a = pointOf.get(e.getKey());
            Integer b = pointOf.get(parent);
            if (a == null || b == null) {
                continue; // not indexed (a stretch below the minimum): counted in neither
            }
            pairs++;
            together += a.equals(b) ? 1 : 0;
        }
        // retrieval: a fixed sample of questions that got replies, searched within their guild
        List<SyntheticChat.Message> asked = new ArrayList<>();
        for (SyntheticChat.Message m : data.dataset().messages()) {
            if (data.truth().get(m.id()).question() && repliesTo.containsKey(m.id())) {
                asked.add(m);
            }
        }
        java.util.Collections.shuffle(asked, new Random(seed));
        asked = asked.subList(0, Math.min(questions, asked.size()));
        float[][] vectors = embedAll(points.stream().map(Point::text).toList(), lease);
        float[][] queries =
                embedAll(asked.stream().map(SyntheticChat.Message::content).toList(), lease);
        double hits = 0;
        double reciprocal = 0;
        for (int q = 0; q < asked.size(); q++) {
            SyntheticChat.Message question = asked.get(q);
            List<Long> replies = repliesTo.get(question.id());
            List<Integer> ranked = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                if (points.get(i).guild() == question.guildId()) {
                    ranked.add(i);
                }
            }
            double[] score = new double[points.size()];
            for (int i : ranked) {
                score[i] = VectorMath.cosine(vectors[i], queries[q]);
            }
            ranked.sort((x, y) -> Double.compare(score[y], score[x]));
            for (int rank = 0; rank < ranked.size(); rank++) {
                List<Long> ids = points.get(ranked.get(rank)).messageIds();
                if (replies.stream().anyMatch(ids::contains)) {
                    hits += rank < 5 ? 1 : 0;
                    reciprocal += 1.0 / (rank + 1);
                    break;
                }
            }
        }
        return new Result(
                name,
                points,
                pairs == 0 ? 0 : together / (double) pairs,
                points.isEmpty() ? 0 : puritySum / points.size(),
                points.isEmpty() ? 0 : inPoints / (double) points.size(),
                asked.isEmpty() ? 0 : hits / asked.size(),
                asked.isEmpty() ? 0 : reciprocal / asked.size());
    }

    static float[][] embedAll(List<String> texts, EmbeddingModelPool.Lease lease) {
        float[][] out = new float[texts.size()][];
        int batch = 32;
        for (int i = 0; i < texts.size(); i += batch) {
            float[][] v = lease.model().embed(texts.subList(i, Math.min(texts.size(), i + batch)));
            System.arraycopy(v, 0, out, i, v.length);
        }
        return out;
    }
}
