package io.discordrag.indexer.testing.data;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A deterministic generator of Discord-like guild history for tests, benchmarks and the demo:
 * guilds with channels and users, and messages whose lengths and timing look like real chat —
 * mostly short lines (log-normal word counts, median about 7 words) with occasional long ones
 * (code, paragraphs), in conversations of a few to a few dozen messages tens of seconds apart,
 * separated by hours of quiet; busy and quiet channels (Zipf-like shares); some replies, mentions,
 * links and emoji. Message ids are real-looking snowflakes (milliseconds since Discord's epoch
 * shifted left by 22 bits). The same {@link Spec} always gives the same dataset.
 */
public final class SyntheticChat {

    /** Discord's snowflake epoch, 2015-01-01T00:00:00Z. */
    public static final long DISCORD_EPOCH_MILLIS = 1_420_070_400_000L;

    /** What to generate. */
    public record Spec(
            long seed,
            int guilds,
            int channelsPerGuild,
            int usersPerGuild,
            int messages,
            Instant start) {
        public static Spec of(int messages) {
            return new Spec(42, 2, 6, 40, messages, Instant.parse("2024-01-01T00:00:00Z"));
        }
    }

    public record User(long id, String username, String globalName) {}

    public record Channel(long id, long guildId, String name) {}

    public record Message(
            long id,
            long guildId,
            long channelId,
            long authorId,
            String content,
            Instant timestamp,
            Long replyToId) {}

    /** The generated rows; messages in (timestamp, id) order. */
    public record Dataset(List<User> users, List<Channel> channels, List<Message> messages) {}

    private static final String[] WORDS =
            ("the a to and is it that of in for on this you i we just with be "
                            + "was have not but can so if do what are at my your it's i'm don't there they about like get "
                            + "deploy build test prod staging server database cache query index migration rollback release "
                            + "branch merge review ticket bug fix crash error log logs alert latency timeout config docker "
                            + "kubernetes pod node cluster api endpoint token auth login password user users account "
                            + "game match raid boss loot patch nerf buff queue ranked lobby stream clip tonight weekend "
                            + "lunch coffee meeting standup sprint deadline tomorrow today yesterday morning night "
                            + "lol lmao yeah yep nope ok okay thanks thx sure maybe probably actually honestly basically "
                            + "works broken fixed slow fast weird nice great awesome cursed wild sad happy tired")
                    .split(" ");
    private static final String[] OPENERS = {
        "anyone",
        "hey",
        "quick question:",
        "so",
        "ok so",
        "fyi",
        "psa:",
        "does anyone know",
        "wait",
        "btw",
        "honestly",
        "update:"
    };
    private static final String[] EMOJI = {
        "\uD83D\uDE02",
        "\uD83D\uDC4D",
        "\uD83D\uDE80",
        "\uD83D\uDD25",
        "\uD83D\uDE2D",
        "\u2764\uFE0F",
        "\uD83E\uDD14",
        "\uD83D\uDC40"
    };
    private static final String[] CHANNEL_NAMES = {
        "general",
        "dev",
        "ops",
        "random",
        "gaming",
        "help",
        "announcements",
        "music",
        "memes",
        "support",
        "design",
        "off-topic"
    };
    private static final String[] FIRST = {
        "alex", "sam", "jo", "kim", "lee", "max", "noa", "ari", "pat", "ray", "sky", "val", "quinn",
        "rio", "eli", "ash"
    };

    private SyntheticChat() {}

    /**
     * Generates as {@link #generate} does, but with the whole history moved earlier if needed so
     * that its last message is no later than {@code latest} (a long history from a fixed start can
     * reach the future, whose messages the job rightly skips).
     */
    public static Dataset generateEndingBy(Spec spec, Instant latest) {
        Dataset data = generate(spec);
        Instant last =
                data.messages().isEmpty()
                        ? spec.start()
                        : data.messages().get(data.messages().size() - 1).timestamp();
        if (!last.isAfter(latest)) {
            return data;
        }
        return generate(
                new Spec(
                        spec.seed(),
                        spec.guilds(),
                        spec.channelsPerGuild(),
                        spec.usersPerGuild(),
                        spec.messages(),
                        spec.start().minus(Duration.between(latest, last))));
    }

    public static Dataset generate(Spec spec) {
        Random random = new Random(spec.seed());
        List<User> users = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        List<List<User>> guildUsers = new ArrayList<>();
        long userId = 100_000_000_000_000_000L;
        for (int g = 0; g < spec.guilds(); g++) {
            List<User> members = new ArrayList<>();
            for (int u = 0; u < spec.usersPerGuild(); u++) {
                String name = FIRST[random.nextInt(FIRST.length)] + (random.nextInt(900) + 100);
                User user =
                        new User(
                                userId++,
                                name,
                                random.nextInt(3) == 0
                                        ? null
                                        : Character.toUpperCase(name.charAt(0))
                                                + name.substring(1, name.length() - 3));
                users.add(user);
                members.add(user);
            }
            guildUsers.add(members);
        }
        long guildIdBase = 800_000_000_000_000_000L;
        long channelId = 900_000_000_000_000_000L;
        double[] weights = new double[spec.guilds() * spec.channelsPerGuild()];
        double total = 0;
        for (int g = 0; g < spec.guilds(); g++) {
            for (int c = 0; c < spec.channelsPerGuild(); c++) {
                channels.add(
                        new Channel(
                                channelId++,
                                guildIdBase + g,
                                CHANNEL_NAMES[c % CHANNEL_NAMES.length]
                                        + (c >= CHANNEL_NAMES.length ? "-" + c : "")));
                int i = g * spec.channelsPerGuild() + c;
                weights[i] =
                        1.0 / (c + 1); // Zipf-like: the first channel of a guild is the busiest
                total += weights[i];
            }
        }
        List<Message> messages = new ArrayList<>();
        int sequence = 0;
        for (int i = 0; i < channels.size(); i++) {
            Channel channel = channels.get(i);
            List<User> members = guildUsers.get((int) (channel.guildId() - guildIdBase));
            int count = (int) Math.round(spec.messages() * weights[i] / total);
            if (i == channels.size() - 1) {
                count = spec.messages() - messages.size();
            }
            Instant time = spec.start().plusSeconds(random.nextInt(3600));
            List<Message> channelMessages = new ArrayList<>();
            while (channelMessages.size() < count) {
                // one conversation: 2..~60 messages from a few participants
                int length =
                        Math.max(1, (int) Math.round(Math.exp(2.2 + 0.8 * random.nextGaussian())));
                List<User> participants = new ArrayList<>();
                int people = 2 + random.nextInt(4);
                for (int p = 0; p < people; p++) {
                    participants.add(members.get(random.nextInt(members.size())));
                }
                for (int m = 0; m < length && channelMessages.size() < count; m++) {
                    if (m > 0) {
                        time =
                                time.plusMillis(
                                        (long)
                                                (1000
                                                        + -Math.log(1 - random.nextDouble())
                                                                * 40_000));
                    }
                    User author = participants.get(random.nextInt(participants.size()));
                    long id =
                            ((time.toEpochMilli() - DISCORD_EPOCH_MILLIS) << 22)
                                    | (sequence++ & 0x3FFFFF);
                    Long replyTo =
                            !channelMessages.isEmpty() && random.nextInt(10) == 0
                                    ? channelMessages
                                            .get(
                                                    channelMessages.size()
                                                            - 1
                                                            - random.nextInt(
                                                                    Math.min(
                                                                            5,
                                                                            channelMessages
                                                                                    .size())))
                                            .id()
                                    : null;
                    channelMessages.add(
                            new Message(
                                    id,
                                    channel.guildId(),
                                    channel.id(),
                                    author.id(),
                                    text(random, members),
                                    time,
                                    replyTo));
                }
                // quiet until the next conversation: 20 minutes to a day or so
                time =
                        time.plus(Duration.ofMinutes(20))
                                .plusSeconds(
                                        (long) (-Math.log(1 - random.nextDouble()) * 4 * 3600));
            }
            messages.addAll(channelMessages);
        }
        messages.sort(Comparator.comparing(Message::timestamp).thenComparingLong(Message::id));
        return new Dataset(users, channels, messages);
    }

    private static String text(Random random, List<User> members) {
        int words;
        if (random.nextInt(50) == 0) {
            words = 60 + random.nextInt(240); // a long explanation or pasted log
        } else {
            words = Math.max(1, (int) Math.round(Math.exp(1.9 + 0.75 * random.nextGaussian())));
        }
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(6) == 0) {
            sb.append(OPENERS[random.nextInt(OPENERS.length)]).append(' ');
        }
        if (random.nextInt(15) == 0) {
            sb.append("<@").append(members.get(random.nextInt(members.size())).id()).append("> ");
        }
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        if (random.nextInt(25) == 0) {
            sb.append(" https://example.com/").append(Integer.toHexString(random.nextInt()));
        }
        if (random.nextInt(5) == 0) {
            sb.append(' ').append(EMOJI[random.nextInt(EMOJI.length)]);
        }
        if (random.nextInt(4) == 0) {
            sb.append(random.nextBoolean() ? "?" : "!");
        }
        return sb.toString();
    }

    /** Inserts the users and channels. */
    public static void insertDirectory(Connection c, Dataset data) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO users (id, username, global_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (User u : data.users()) {
                ps.setLong(1, u.id());
                ps.setString(2, u.username());
                ps.setString(3, u.globalName());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO channels (id, guild_id, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Channel ch : data.channels()) {
                ps.setLong(1, ch.id());
                ps.setLong(2, ch.guildId());
                ps.setString(3, ch.name());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Inserts messages in one transaction per call (the connection's auto-commit is restored). */
    public static void insertMessages(Connection c, List<Message> messages) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO messages (id, guild_id, channel_id, author_id, "
                                + "content, message_timestamp, reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Message m : messages) {
                ps.setLong(1, m.id());
                ps.setLong(2, m.guildId());
                ps.setLong(3, m.channelId());
                ps.setLong(4, m.authorId());
                ps.setString(5, m.content());
                ps.setTimestamp(6, Timestamp.from(m.timestamp()));
                if (m.replyToId() == null) {
                    ps.setNull(7, Types.BIGINT);
                } else {
                    ps.setLong(7, m.replyToId());
                }
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
