package io.discordrag.indexer.testing.data;

import io.discordrag.indexer.testing.data.SyntheticChat.Channel;
import io.discordrag.indexer.testing.data.SyntheticChat.Dataset;
import io.discordrag.indexer.testing.data.SyntheticChat.Message;
import io.discordrag.indexer.testing.data.SyntheticChat.User;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Realistic Discord chat with its ground truth, for tests, benchmarks and the demo: topic-coherent
 * conversations (a question, answers, follow-ups, thanks; small talk) by two to four people each,
 * several of them interleaved in busy channels, with the signals Discord gives at stated rates, and
 * for every message the conversation it belongs to and the message it responds to.
 *
 * <p>Rates (of the messages that respond to an earlier one): the reply feature ({@code
 * reply_to_id}) on {@link Spec#replyRate} (default 30%), an {@code <@id>} mention of the person
 * answered on {@link Spec#mentionRate} (20%, independently; both on 6%), no signal at all on the
 * rest (56%). {@link Spec#burstRate} (15%) of messages are followed within seconds by a second
 * message of the same author that continues it (no signal). Delays between turns are log-normal
 * (median 40 s); conversations start as a Poisson process per channel, at {@link Spec#concurrency}
 * conversations running at once in the busiest channel of a guild on average and fewer in the
 * others (Zipf-like shares), with quiet hours between bursts of activity.
 *
 * <p>The same {@link Spec} always gives the same dataset. Ids are snowflake-like, users and
 * channels as in {@link SyntheticChat}, so its insert methods load the rows.
 */
public final class ConversationalChat {

    /** What to generate. */
    public record Spec(
            long seed,
            int guilds,
            int channelsPerGuild,
            int usersPerGuild,
            int messages,
            Instant start,
            double concurrency,
            double replyRate,
            double mentionRate,
            double burstRate) {

        public static Spec of(int messages) {
            return new Spec(
                    42,
                    2,
                    4,
                    30,
                    messages,
                    Instant.parse("2024-01-01T00:00:00Z"),
                    4,
                    0.3,
                    0.2,
                    0.15);
        }

        public Spec withStart(Instant start) {
            return new Spec(
                    seed,
                    guilds,
                    channelsPerGuild,
                    usersPerGuild,
                    messages,
                    start,
                    concurrency,
                    replyRate,
                    mentionRate,
                    burstRate);
        }

        public Spec withSeed(long seed) {
            return new Spec(
                    seed,
                    guilds,
                    channelsPerGuild,
                    usersPerGuild,
                    messages,
                    start,
                    concurrency,
                    replyRate,
                    mentionRate,
                    burstRate);
        }
    }

    /**
     * The ground truth of one message.
     *
     * @param conversation the conversation it belongs to (unique across the dataset)
     * @param respondsTo the message it answers or follows up (0: it opens its conversation)
     * @param question it opens a conversation with a question
     * @param topic the conversation's topic
     */
    public record Truth(long conversation, long respondsTo, boolean question, String topic) {}

    /** The rows to load and the truth of every message (by message id). */
    public record Generated(Dataset dataset, Map<Long, Truth> truth) {}

    private ConversationalChat() {}

    /**
     * {@link #generate}, moved earlier in time as a whole if needed so that no message is later
     * than {@code latest} (the same conversations, turns and delays).
     */
    public static Generated generateEndingBy(Spec spec, Instant latest) {
        Generated g = generate(spec);
        List<Message> ms = g.dataset().messages();
        Instant last = ms.isEmpty() ? spec.start() : ms.get(ms.size() - 1).timestamp();
        if (!last.isAfter(latest)) {
            return g;
        }
        return generate(spec.withStart(spec.start().minus(Duration.between(latest, last))));
    }

    public static Generated generate(Spec spec) {
        Random random = new Random(spec.seed());
        Dataset directory =
                SyntheticChat.generate(
                        new SyntheticChat.Spec(
                                spec.seed(),
                                spec.guilds(),
                                spec.channelsPerGuild(),
                                spec.usersPerGuild(),
                                0,
                                spec.start()));
        Map<Long, List<User>> members = new LinkedHashMap<>();
        for (int g = 0; g < spec.guilds(); g++) {
            members.put(
                    directory.channels().get(g * spec.channelsPerGuild()).guildId(),
                    directory
                            .users()
                            .subList(g * spec.usersPerGuild(), (g + 1) * spec.usersPerGuild()));
        }
        // each channel gets a share of the messages: Zipf-like within a guild
        List<Channel> channels = directory.channels();
        double[] share = new double[channels.size()];
        double total = 0;
        for (int i = 0; i < channels.size(); i++) {
            share[i] = 1.0 / (i % spec.channelsPerGuild() + 1);
            total += share[i];
        }
        List<Message> messages = new ArrayList<>(spec.messages());
        Map<Long, Truth> truth = new HashMap<>();
        long[] nextConversation = {1};
        for (int i = 0; i < channels.size(); i++) {
            Channel channel = channels.get(i);
            int n = (int) Math.round(spec.messages() * share[i] / total);
            double concurrency =
                    Math.max(
                            1,
                            spec.concurrency() * share[i] / share[i - i % spec.channelsPerGuild()]);
            channel(
                    spec,
                    random,
                    channel,
                    members.get(channel.guildId()),
                    n,
                    concurrency,
                    messages,
                    truth,
                    nextConversation);
        }
        messages.sort(Comparator.comparing(Message::timestamp).thenComparingLong(Message::id));
        return new Generated(new Dataset(directory.users(), directory.channels(), messages), truth);
    }

    /** One message planned: when, by whom, in which conversation, answering what. */
    private record Turn(Instant at, Conversation conversation) {}

    /** A conversation being written. */
    private static final class Conversation {
        final long id;
        final Topic topic;
        final List<User> people;
        final int length;
        final List<Message> written = new ArrayList<>();
        final java.util.Set<String> said = new java.util.HashSet<>();
        final Map<String, String> chosen = new HashMap<>();
        int stage; // 0 question, then answers and follow-ups, last a closing

        Conversation(long id, Topic topic, List<User> people, int length) {
            this.id = id;
            this.topic = topic;
            this.people = people;
            this.length = length;
        }
    }

    private static void channel(
            Spec spec,
            Random random,
            Channel channel,
            List<User> members,
            int n,
            double concurrency,
            List<Message> out,
            Map<Long, Truth> truth,
            long[] nextConversation) {
        double meanLength = 7;
        double meanDuration = meanLength * 50; // seconds a conversation lasts, about
        double startsPerSecond = concurrency / meanDuration;
        PriorityQueue<Turn> turns = new PriorityQueue<>(Comparator.comparing(Turn::at));
        Instant clock = spec.start().plusSeconds(random.nextInt(3600));
        int written = 0;
        int inBurst = 0;
        while (written < n) {
            // the next conversation starts after an exponential wait; every ~40 a quiet spell
            Instant nextStart =
                    clock.plusMillis(
                            (long) (-Math.log(1 - random.nextDouble()) / startsPerSecond * 1000));
            if (++inBurst % 40 == 0) {
                nextStart = nextStart.plus(Duration.ofHours(2 + random.nextInt(20)));
            }
            while (!turns.isEmpty() && !turns.peek().at().isAfter(nextStart) && written < n) {
                Turn t = turns.poll();
                written += write(spec, random, channel, t, turns, out, truth);
            }
            if (written >= n) {
                break;
            }
            clock = nextStart;
            Topic topic = Topic.ALL.get(random.nextInt(Topic.ALL.size()));
            List<User> people = new ArrayList<>(members);
            Collections.shuffle(people, random);
            int size =
                    2 + (random.nextDouble() < 0.35 ? 1 : 0) + (random.nextDouble() < 0.15 ? 1 : 0);
            int length =
                    topic.smallTalk()
                            ? 2 + random.nextInt(4)
                            : 3 + (int) (-Math.log(1 - random.nextDouble()) * (meanLength - 3));
            Conversation c =
                    new Conversation(
                            nextConversation[0]++,
                            topic,
                            new ArrayList<>(people.subList(0, size)),
                            length);
            turns.add(new Turn(clock, c));
        }
    }

    /** Writes the next message of a conversation; plans the one after. Returns messages written. */
    private static int write(
            Spec spec,
            Random random,
            Channel channel,
            Turn turn,
            PriorityQueue<Turn> turns,
            List<Message> out,
            Map<Long, Truth> truth) {
        Conversation c = turn.conversation();
        Topic topic = c.topic;
        int written = 0;
        Message answered = null;
        User author;
        String text;
        boolean question = false;
        if (c.stage == 0) {
            author = c.people.get(0);
            text = topic.fill(topic.questions(), random, c.chosen);
            question = true;
        } else {
            // answer the latest message of someone else, most often; sometimes an earlier one
            List<Message> w = c.written;
            answered = w.get(w.size() - 1);
            if (w.size() > 2 && random.nextDouble() < 0.2) {
                answered = w.get(random.nextInt(w.size() - 1));
            }
            author = other(c.people, answered.authorId(), random);
            boolean last = c.stage >= c.length - 1;
            boolean asker = author.id() == c.people.get(0).id();
            text =
                    unsaid(
                            c,
                            last && asker
                                    ? topic.closings()
                                    : asker ? topic.followUps() : topic.answers(),
                            random);
        }
        Long replyTo = null;
        if (answered != null) {
            if (random.nextDouble() < spec.replyRate()) {
                replyTo = answered.id();
            }
            if (random.nextDouble() < spec.mentionRate()) {
                text = "<@" + answered.authorId() + "> " + text;
            }
        }
        Message m = message(channel, author, text, turn.at(), replyTo, random);
        out.add(m);
        truth.put(
                m.id(),
                new Truth(c.id, answered == null ? 0 : answered.id(), question, topic.name()));
        c.written.add(m);
        written++;
        Instant next = turn.at();
        if (random.nextDouble() < spec.burstRate()) { // the same author goes on, seconds later
            next = next.plusSeconds(2 + random.nextInt(12));
            Message more =
                    message(
                            channel,
                            author,
                            unsaid(c, topic.continuations(), random),
                            next,
                            null,
                            random);
            out.add(more);
            truth.put(more.id(), new Truth(c.id, m.id(), false, topic.name()));
            c.written.add(more);
            written++;
        }
        c.stage++;
        if (c.stage < c.length) {
            long delay = (long) (40_000 * Math.exp(0.9 * random.nextGaussian()));
            turns.add(new Turn(next.plusMillis(Math.min(delay, 600_000)), c));
        }
        return written;
    }

    /** A line from {@code templates} not yet said in the conversation, if a few tries find one. */
    private static String unsaid(Conversation c, List<String> templates, Random random) {
        String text = c.topic.fill(templates, random, c.chosen);
        for (int i = 0; i < 8 && c.said.contains(text); i++) {
            text = c.topic.fill(templates, random, c.chosen);
        }
        c.said.add(text);
        return text;
    }

    private static User other(List<User> people, long notThis, Random random) {
        List<User> others = new ArrayList<>();
        for (User u : people) {
            if (u.id() != notThis) {
                others.add(u);
            }
        }
        return others.get(random.nextInt(others.size()));
    }

    private static Message message(
            Channel channel, User author, String text, Instant at, Long replyTo, Random random) {
        long id =
                ((at.toEpochMilli() - SyntheticChat.DISCORD_EPOCH_MILLIS) << 22)
                        | (random.nextInt(1 << 22));
        return new Message(id, channel.guildId(), channel.id(), author.id(), text, at, replyTo);
    }
}
