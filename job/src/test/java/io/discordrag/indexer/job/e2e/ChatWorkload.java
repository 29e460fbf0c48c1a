package io.discordrag.indexer.job.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded, replayable stream of changes to {@code messages} for failure tests: three channels in
 * two guilds get six conversation sessions each (inserted roughly in time order, locally shuffled),
 * then a mix of edits, edits that empty a message, soft and hard deletes, and "bridge" messages
 * that merge two indexed sessions — one bridge per channel is deleted again, splitting them. The
 * same seed gives the same statements, so a failure-free run and a run with failures end with the
 * same table.
 */
final class ChatWorkload {

    /** One statement. */
    record Step(String sql, Object... args) {}

    /** (guild, channel) of the three channels. */
    static final long[][] CHANNELS = {{1, 11}, {1, 12}, {2, 21}};

    static final long[] USERS = {1, 2, 3, 4};
    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final int SESSIONS = 6;
    private static final String[] WORDS = {
        "deploy",
        "rollback",
        "lunch",
        "review",
        "flaky",
        "metrics",
        "coffee",
        "incident",
        "release",
        "schema",
        "index",
        "vector",
        "question",
        "answer",
        "thanks",
        "tomorrow"
    };

    final long seed;
    final List<List<Step>> batches;

    ChatWorkload(long seed, int batchSize) {
        this.seed = seed;
        Random r = new Random(seed);
        List<Step> inserts = new ArrayList<>();
        List<Step> changes = new ArrayList<>();
        List<Step> splits = new ArrayList<>();
        List<Long> live = new ArrayList<>();
        Set<Long> gone = new HashSet<>();
        long nextId = 100_000;
        for (long[] ch : CHANNELS) {
            List<Long> bridges = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int size = 3 + r.nextInt(4);
                for (int k = 0; k < size; k++) {
                    long id = nextId++;
                    inserts.add(insert(id, ch, r, 30 * s + 2 * k));
                    live.add(id);
                }
                if (s == 1 || s == 3) { // a bridge halfway to the next session, which starts 30
                    // minutes later
                    long id = nextId++;
                    int last = 2 * (size - 1);
                    changes.add(insert(id, ch, r, 30 * s + last + (30 - last) / 2));
                    bridges.add(id);
                }
            }
            splits.add(new Step("DELETE FROM messages WHERE id = ?", bridges.get(1)));
        }
        // the channels' messages interleaved in time order, as a live server sends them, with local
        // disorder
        Collections.shuffle(inserts, new Random(seed + 1));
        inserts.sort((a, b) -> Long.compare(minuteOf(a), minuteOf(b)));
        for (int i = 0; i + 1 < inserts.size(); i += 4) {
            Collections.swap(inserts, i, i + 1);
        }
        for (int i = 0; i < 30; i++) {
            int at = r.nextInt(live.size());
            long id = live.get(at);
            if (gone.contains(id)) {
                continue;
            }
            switch (r.nextInt(6)) {
                case 0 -> {
                    changes.add(new Step("UPDATE messages SET is_deleted = true WHERE id = ?", id));
                    gone.add(id);
                }
                case 1 -> {
                    changes.add(new Step("DELETE FROM messages WHERE id = ?", id));
                    gone.add(id);
                }
                case 2 ->
                        changes.add(new Step("UPDATE messages SET content = '' WHERE id = ?", id));
                default ->
                        changes.add(
                                new Step(
                                        "UPDATE messages SET content = ? WHERE id = ?",
                                        "edited: " + sentence(r),
                                        id));
            }
        }
        Collections.shuffle(changes, new Random(seed + 2));
        List<Step> steps = new ArrayList<>(inserts);
        steps.addAll(changes);
        steps.addAll(splits); // after every bridge insert
        batches = new ArrayList<>();
        for (int i = 0; i < steps.size(); i += batchSize) {
            batches.add(steps.subList(i, Math.min(steps.size(), i + batchSize)));
        }
    }

    private static long minuteOf(Step s) {
        return s.args().length == 6 ? ((Timestamp) s.args()[5]).getTime() / 60_000 : Long.MAX_VALUE;
    }

    private static Step insert(long id, long[] channel, Random r, int minute) {
        return new Step(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp) "
                        + "VALUES (?, ?, ?, ?, ?, ?)",
                id,
                channel[0],
                channel[1],
                USERS[r.nextInt(USERS.length)],
                sentence(r),
                Timestamp.from(T0.plusSeconds(60L * minute)));
    }

    private static String sentence(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 3 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** Users and channels the messages refer to. */
    static void insertDirectory(IndexerFixture fx) throws SQLException {
        for (long u : USERS) {
            fx.user(u, "user" + u, u % 2 == 0 ? null : "User " + u);
        }
        for (long[] ch : CHANNELS) {
            fx.channel(ch[1], ch[0], "channel-" + ch[1]);
        }
    }

    /** Applies one batch in one transaction. */
    static void apply(Connection c, List<Step> batch) throws SQLException {
        c.setAutoCommit(false);
        for (Step s : batch) {
            try (PreparedStatement ps = c.prepareStatement(s.sql())) {
                for (int i = 0; i < s.args().length; i++) {
                    ps.setObject(i + 1, s.args()[i]);
                }
                ps.executeUpdate();
            }
        }
        c.commit();
    }

    int steps() {
        return batches.stream().mapToInt(List::size).sum();
    }
}
