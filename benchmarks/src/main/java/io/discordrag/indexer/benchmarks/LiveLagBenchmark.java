package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Commit-to-Qdrant lag of edits and deletes under a steady live load, read from the job's own lag
 * histograms ({@code commitToQdrantLagMs}, label {@code change=<type>}) through the Flink REST API,
 * as an operator would.
 *
 * <p>Embedded PostgreSQL, the in-process Qdrant stand-in and the streaming job in a local
 * MiniCluster (parallelism 2, default options). A generator plays live Discord traffic at the
 * target rate: many channels, each with conversations of 4–16 messages a few seconds apart followed
 * by a pause longer than the idle timeout (so sessions close and get indexed), message times "now".
 * Mixed in: edits (5% of the message rate) and deletes (3%: two thirds soft, one third hard) of
 * messages that are already indexed, which is what the lag of an edit or delete means to a user.
 * After the run it waits for the job to drain, then prints p50/p99/max per type.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@lag
 * -Dbench.rate=100 -Dbench.seconds=300 -Dbench.model=all-MiniLM-L6-v2-q}.
 */
public final class LiveLagBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GUILDS = 40;
    private static final int CHANNELS_PER_GUILD = 60;
    private static final int USERS = 400;
    private static final String[] WORDS =
            ("the deploy failed again because the config was wrong so I rolled back "
                            + "and opened a ticket can someone review my pull request before lunch thanks for the help tomorrow "
                            + "we ship the new search feature with vector index and better ranking")
                    .split(" ");

    private LiveLagBenchmark() {}

    /** One conversation being played into a channel. */
    private static final class Conversation {
        long guild;
        long channel;
        int remaining;
        long nextAtMillis;
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        String model = args.length > 2 ? args[2] : "all-MiniLM-L6-v2-q";
        System.out.printf(
                Locale.ROOT,
                "live load: %d messages/s for %d s, edits 5%%, deletes 3%% of indexed "
                        + "messages; %d channels; model %s; cores=%d%n",
                rate,
                seconds,
                GUILDS * CHANNELS_PER_GUILD,
                model,
                Runtime.getRuntime().availableProcessors());

        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        int restPort;
        try (ServerSocket s = new ServerSocket(0)) {
            restPort = s.getLocalPort();
        }
        try (QdrantStandIn qdrant = QdrantStandIn.startNew();
                Connection admin = postgres.adminConnection()) {
            insertDirectory(admin);
            Map<String, String> options = StreamingJobBenchmark.jobOptions(postgres, qdrant, model);
            IndexerConfig config =
                    IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());
            Configuration flink = new Configuration();
            flink.set(RestOptions.BIND_PORT, Integer.toString(restPort));
            // checkpoints to files, as every deployment has them (the JobManager's memory takes at
            // most 5 MB per state, less than a fresh start's updates waiting for the embedder)
            flink.setString(
                    "state.checkpoints.dir",
                    java.nio.file.Files.createTempDirectory("checkpoints").toUri().toString());
            flink.set(
                    MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, java.time.Duration.ofSeconds(1));
            JobClient job =
                    IndexerJob.start(
                            StreamExecutionEnvironment.getExecutionEnvironment(flink), config);
            String rest = "http://localhost:" + restPort;
            awaitSlotActive(admin);
            System.out.printf(
                    Locale.ROOT,
                    "job %s running; Flink REST at %s; checkpoint interval %s%n",
                    job.getJobID(),
                    rest,
                    config.get(io.discordrag.indexer.job.IndexerOptions.CHECKPOINT_INTERVAL));

            long cpuBefore = jvmCpuNanos();
            long pgBefore = postgresCpuNanos();
            long[] counts = play(admin, rate, seconds);
            long jvmCpu = jvmCpuNanos() - cpuBefore;
            long pgCpu = postgresCpuNanos() - pgBefore;
            System.out.printf(
                    Locale.ROOT,
                    "played %d messages (%.1f/s), %d edits, %d deletes of indexed messages%n",
                    counts[0],
                    counts[0] / (double) seconds,
                    counts[1],
                    counts[2]);
            System.out.printf(
                    Locale.ROOT,
                    "CPU while playing: job JVM (MiniCluster, generator, Qdrant stand-in) %.2f ms per "
                            + "message, PostgreSQL %.2f ms per message (%.0f%% / %.0f%% of %d cores)%n",
                    jvmCpu / 1e6 / counts[0],
                    pgCpu / 1e6 / counts[0],
                    100.0 * jvmCpu / (seconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    100.0 * pgCpu / (seconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    Runtime.getRuntime().availableProcessors());
            Thread.sleep(20_000); // let the last edits and deletes reach Qdrant
            double embedded = sumCounter(rest, job.getJobID().toString(), "textsEmbedded");
            long indexed = indexedMessages(admin);
            System.out.printf(
                    Locale.ROOT,
                    "embeddings: %.0f for %d messages indexed (%d played): %.2f per indexed message%n",
                    embedded,
                    indexed,
                    counts[0],
                    embedded / indexed);
            printCheckpoints(rest, job.getJobID().toString());
            for (String type : List.of("insert", "edit", "delete")) {
                Map<String, double[]> m =
                        lagMetrics(
                                rest,
                                job.getJobID().toString(),
                                "change." + type + ".commitToQdrantLagMs");
                double[] p50 = m.get("median");
                double[] p99 = m.get("p99");
                double[] max = m.get("max");
                System.out.printf(
                        Locale.ROOT,
                        "commitToQdrantLagMs%-16s p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms"
                                + "  (p50: mean of the subtasks' medians; p99, max: the worst subtask)%n",
                        "{change=" + type + "}",
                        p50[1],
                        p99[2],
                        max[2]);
            }
            job.cancel().get();
        } finally {
            postgres.stop();
        }
        System.exit(0);
    }

    private static void insertDirectory(Connection c) throws Exception {
        try (PreparedStatement u =
                        c.prepareStatement(
                                "INSERT INTO users (id, username, global_name) VALUES (?, ?, ?)");
                PreparedStatement ch =
                        c.prepareStatement(
                                "INSERT INTO channels (id, guild_id, name) VALUES (?, ?, ?)")) {
            for (int i = 1; i <= USERS; i++) {
                u.setLong(1, i);
                u.setString(2, "user" + i);
                u.setString(3, i % 3 == 0 ? null : "User " + i);
                u.addBatch();
            }
            u.executeBatch();
            for (int g = 1; g <= GUILDS; g++) {
                for (int k = 0; k < CHANNELS_PER_GUILD; k++) {
                    ch.setLong(1, channelId(g, k));
                    ch.setLong(2, g);
                    ch.setString(3, "channel-" + k);
                    ch.addBatch();
                }
            }
            ch.executeBatch();
        }
    }

    private static long channelId(int guild, int k) {
        return 10_000L * guild + k;
    }

    /** Plays the load; returns [messages, edits, deletes]. */
    private static long[] play(Connection c, int rate, int seconds) throws Exception {
        Random r = new Random(42);
        List<Long> idle = new ArrayList<>();
        Map<Long, Long> restUntil = new HashMap<>();
        for (int g = 1; g <= GUILDS; g++) {
            for (int k = 0; k < CHANNELS_PER_GUILD; k++) {
                idle.add(channelId(g, k));
            }
        }
        List<Conversation> active = new ArrayList<>();
        List<Long> indexed = new ArrayList<>();
        long nextId = 1_000_000;
        long messages = 0;
        long edits = 0;
        long deletes = 0;
        double editDebt = 0;
        double deleteDebt = 0;
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000L;
        long lastRefresh = 0;
        long lastReport = start;
        double perTick = rate / 10.0;
        double debt = 0;
        c.setAutoCommit(false);
        try (PreparedStatement insert =
                        c.prepareStatement(
                                "INSERT INTO messages (id, guild_id, channel_id, "
                                        + "author_id, content, message_timestamp) VALUES (?, ?, ?, ?, ?, ?)");
                PreparedStatement edit =
                        c.prepareStatement("UPDATE messages SET content = ? WHERE id = ?");
                PreparedStatement soft =
                        c.prepareStatement("UPDATE messages SET is_deleted = true WHERE id = ?");
                PreparedStatement hard = c.prepareStatement("DELETE FROM messages WHERE id = ?")) {
            for (long tick = start; tick < end; tick += 100) {
                long now = System.currentTimeMillis();
                if (now - lastRefresh > 2000) {
                    indexed = recentlyIndexed(c);
                    lastRefresh = now;
                }
                // keep more conversations going than the target rate needs (each sends at most ~0.3
                // messages/s)
                for (int tries = 0;
                        active.size() < rate * 5 && tries < 200 && !idle.isEmpty();
                        tries++) {
                    int pick = r.nextInt(idle.size());
                    long channel = idle.get(pick);
                    if (restUntil.getOrDefault(channel, 0L) > now) {
                        continue; // still resting after its last conversation
                    }
                    idle.remove(pick);
                    Conversation conv = new Conversation();
                    conv.channel = channel;
                    conv.guild = channel / 10_000;
                    conv.remaining = 4 + r.nextInt(13);
                    conv.nextAtMillis = now + r.nextInt(3000);
                    active.add(conv);
                }
                debt += perTick;
                int due = (int) debt;
                debt -= due;
                int sent = 0;
                for (int i = 0; i < active.size() && sent < due; i++) {
                    Conversation conv = active.get(i);
                    if (conv.nextAtMillis > now) {
                        continue;
                    }
                    insert.setLong(1, nextId++);
                    insert.setLong(2, conv.guild);
                    insert.setLong(3, conv.channel);
                    insert.setLong(4, 1 + r.nextInt(USERS));
                    insert.setString(5, sentence(r));
                    insert.setTimestamp(6, Timestamp.from(Instant.ofEpochMilli(now)));
                    insert.addBatch();
                    sent++;
                    conv.remaining--;
                    conv.nextAtMillis = now + 1000 + r.nextInt(5000);
                    if (conv.remaining == 0) {
                        active.remove(i--);
                        restUntil.put(conv.channel, now + 90_000 + r.nextInt(30_000));
                        idle.add(conv.channel);
                    }
                }
                if (sent > 0) {
                    insert.executeBatch();
                }
                messages += sent;
                editDebt += sent * 0.05;
                deleteDebt += sent * 0.03;
                while (editDebt >= 1 && !indexed.isEmpty()) {
                    edit.setString(1, "edited: " + sentence(r));
                    edit.setLong(2, indexed.remove(r.nextInt(indexed.size())));
                    edit.executeUpdate();
                    editDebt--;
                    edits++;
                }
                while (deleteDebt >= 1 && !indexed.isEmpty()) {
                    PreparedStatement d = r.nextInt(3) == 0 ? hard : soft;
                    d.setLong(1, indexed.remove(r.nextInt(indexed.size())));
                    d.executeUpdate();
                    deleteDebt--;
                    deletes++;
                }
                c.commit();
                if (now - lastReport >= 30_000) {
                    System.out.printf(
                            Locale.ROOT,
                            "  %3d s: %d messages, %d edits, %d deletes, %d indexed "
                                    + "candidates%n",
                            (now - start) / 1000,
                            messages,
                            edits,
                            deletes,
                            indexed.size());
                    lastReport = now;
                }
                long sleep = tick + 100 - System.currentTimeMillis();
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
        } finally {
            c.setAutoCommit(true);
        }
        return new long[] {messages, edits, deletes};
    }

    /** Messages whose qdrant_point_id is written back. */
    static long indexedMessages(Connection c) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM messages WHERE qdrant_point_id IS NOT NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * CPU of every {@code postgres} process of this user, the exited children of each postmaster
     * included ({@code /proc/<pid>/stat}: utime, stime, cutime, cstime in clock ticks of 10 ms).
     */
    private static long postgresCpuNanos() throws Exception {
        long ticks = 0;
        try (java.util.stream.Stream<java.nio.file.Path> procs =
                java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
            for (java.nio.file.Path dir : (Iterable<java.nio.file.Path>) procs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = java.nio.file.Files.readString(dir.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue;
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (!stat.substring(open + 1, close).equals("postgres")) {
                    continue;
                }
                String[] f = stat.substring(close + 2).split(" ");
                // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
        }
        return ticks * 10_000_000L;
    }

    /** Sum over subtasks of the counter {@code name}, on whichever vertex reports it. */
    private static double sumCounter(String rest, String jobId, String name) throws Exception {
        double sum = 0;
        for (JsonNode m :
                aggregated(rest, jobId, id -> id.endsWith("." + name) || id.equals(name), "sum")) {
            sum += m.get("sum").asDouble();
        }
        return sum;
    }

    /**
     * The subtask metrics whose id {@code wanted} accepts, aggregated over each vertex's subtasks
     * ({@code agg}: e.g. {@code min,avg,max,sum}), as the REST API returns them.
     */
    private static List<JsonNode> aggregated(
            String rest, String jobId, Predicate<String> wanted, String agg) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode vertex : get(http, rest + "/jobs/" + jobId).get("vertices")) {
            String base =
                    rest
                            + "/jobs/"
                            + jobId
                            + "/vertices/"
                            + vertex.get("id").asText()
                            + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(http, base)) {
                String id = m.get("id").asText();
                if (wanted.test(id)) {
                    ids.add(id);
                }
            }
            if (!ids.isEmpty()) {
                get(http, base + "?get=" + String.join(",", ids) + "&agg=" + agg).forEach(out::add);
            }
        }
        return out;
    }

    /** The job's checkpoint statistics (Flink REST {@code /jobs/<id>/checkpoints}). */
    static void printCheckpoints(String rest, String jobId) throws Exception {
        JsonNode cp = get(HttpClient.newHttpClient(), rest + "/jobs/" + jobId + "/checkpoints");
        JsonNode summary = cp.get("summary");
        JsonNode duration = summary.get("end_to_end_duration");
        JsonNode size = summary.get("checkpointed_size");
        JsonNode full = summary.get("state_size");
        System.out.printf(
                Locale.ROOT,
                "checkpoints: %d completed, %d failed; duration p50 %d ms, p99 %d ms, max %d ms; "
                        + "checkpointed size p50 %d B, max %d B; full state p50 %d B, max %d B%n",
                cp.get("counts").get("completed").asLong(),
                cp.get("counts").get("failed").asLong(),
                duration.get("p50").asLong(),
                duration.get("p99").asLong(),
                duration.get("max").asLong(),
                size.get("p50").asLong(),
                size.get("max").asLong(),
                full.get("p50").asLong(),
                full.get("max").asLong());
        for (JsonNode h : cp.get("history")) {
            if ("FAILED".equals(h.get("status").asText())) {
                System.out.printf(
                        Locale.ROOT,
                        "  checkpoint %d failed: %s%n",
                        h.get("id").asLong(),
                        h.path("failure_message").asText("(no message)"));
            }
        }
    }

    private static List<Long> recentlyIndexed(Connection c) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT id FROM messages "
                                        + "WHERE qdrant_point_id IS NOT NULL AND NOT is_deleted ORDER BY id DESC LIMIT 3000")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        c.commit();
        return ids;
    }

    private static String sentence(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 4 + r.nextInt(16);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /**
     * The histogram statistics of {@code name} on the vertex that has it: stat (p50, p99, max,
     * count) → [min, avg, max, sum] over subtasks.
     */
    private static Map<String, double[]> lagMetrics(String rest, String jobId, String name)
            throws Exception {
        Map<String, double[]> out = new HashMap<>();
        for (JsonNode m :
                aggregated(rest, jobId, id -> id.contains(name + "_"), "min,avg,max,sum")) {
            String id = m.get("id").asText();
            out.put(
                    id.substring(id.indexOf(name + "_") + name.length() + 1),
                    new double[] {
                        m.get("min").asDouble(),
                        m.get("avg").asDouble(),
                        m.get("max").asDouble(),
                        m.get("sum").asDouble()
                    });
        }
        double[] none = {Double.NaN, Double.NaN, Double.NaN, 0};
        for (String s : List.of("median", "p99", "max")) {
            if (!out.containsKey(s)) {
                System.out.println(
                        "  (no " + name + "_" + s + " reported; have " + out.keySet() + ")");
                out.put(s, none);
            }
        }
        return out;
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + url + " -> " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void awaitSlotActive(Connection c) throws Exception {
        for (int i = 0; i < 600; i++) {
            try (Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT count(*) FROM pg_replication_slots WHERE active")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job's replication slot never became active");
    }
}
