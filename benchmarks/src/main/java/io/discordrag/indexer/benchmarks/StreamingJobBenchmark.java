package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.session.Conversation;
import io.discordrag.indexer.job.session.ConversationPlanner;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.SessionTextRenderer;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * End-to-end throughput of the streaming job next to the embedder alone, in one run on one machine.
 *
 * <p>Starts an embedded PostgreSQL and the in-process Qdrant stand-in, generates a synthetic guild
 * history ({@link SyntheticChat}), starts the job (local MiniCluster, parallelism 2, default
 * options but a 5 s idle timeout), then inserts the messages in time order, 1,000 rows per
 * transaction, as a bot importing history would, and waits until every message of a session of two
 * or more is written back and Qdrant holds one point per {@code message_sessions} row. Then it
 * renders the same chunk texts the job embedded and embeds them with the same options through the
 * udf's pooled model, alone. Prints messages/s, sessions/s and points/s end to end, texts/s of the
 * embedder alone and the ratio.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@streaming
 * -Dbench.messages=50000 -Dbench.model=all-MiniLM-L6-v2}.
 */
public final class StreamingJobBenchmark {

    private StreamingJobBenchmark() {}

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        String model = args.length > 1 ? args[1] : "all-MiniLM-L6-v2";
        SyntheticChat.Dataset data = SyntheticChat.generate(SyntheticChat.Spec.of(messages));
        Map<Long, String> channelNames = new HashMap<>();
        data.channels().forEach(c -> channelNames.put(c.id(), c.name()));
        int[] expected = expectedSessions(data);
        System.out.printf(
                Locale.ROOT,
                "dataset: %d messages, %d channels, %d users; %d sessions of >= 2 messages "
                        + "covering %d messages; cores=%d, model=%s%n",
                messages,
                data.channels().size(),
                data.users().size(),
                expected[0],
                expected[1],
                Runtime.getRuntime().availableProcessors(),
                model);

        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        try (QdrantStandIn qdrant = QdrantStandIn.startNew();
                QdrantClient client =
                        new QdrantClient(
                                QdrantGrpcClient.newBuilder(qdrant.host(), qdrant.port(), false)
                                        .build());
                Connection admin = postgres.adminConnection()) {
            SyntheticChat.insertDirectory(admin, data);
            Map<String, String> options = jobOptions(postgres, qdrant, model);
            options.put("session.idle-timeout", "5 s");
            IndexerConfig config =
                    IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());
            JobClient job =
                    IndexerJob.start(StreamExecutionEnvironment.getExecutionEnvironment(), config);
            awaitSlotActive(admin);

            long start = System.nanoTime();
            List<SyntheticChat.Message> all = data.messages();
            for (int i = 0; i < all.size(); i += 1000) {
                SyntheticChat.insertMessages(admin, all.subList(i, Math.min(all.size(), i + 1000)));
            }
            double insertSeconds = (System.nanoTime() - start) / 1e9;
            long points;
            long lastReport = System.nanoTime();
            while (true) {
                long covered =
                        count(
                                admin,
                                "SELECT count(*) FROM messages WHERE qdrant_point_id IS NOT NULL");
                long rows = count(admin, "SELECT count(*) FROM message_sessions");
                points =
                        client.countAsync(
                                        config.get(
                                                io.discordrag.indexer.job.IndexerOptions
                                                        .QDRANT_COLLECTION))
                                .get();
                if (covered == expected[1] && points == rows) {
                    break;
                }
                if (System.nanoTime() - lastReport > 10e9) {
                    System.out.printf(
                            Locale.ROOT,
                            "  %.0f s: %d/%d messages written back, %d points%n",
                            (System.nanoTime() - start) / 1e9,
                            covered,
                            expected[1],
                            points);
                    lastReport = System.nanoTime();
                }
                Thread.sleep(250);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            job.cancel().get();
            // The job's end releases its pooled model (classloader release hook): wait for it, then
            // embed alone.
            while (!job.getJobStatus().get().isGloballyTerminalState()
                    || EmbeddingModelPool.loadedModels() > 0) {
                Thread.sleep(100);
            }

            List<String> texts = chunkTexts(admin, channelNames);
            System.out.printf(
                    Locale.ROOT,
                    "end to end: %d messages inserted in %.1f s; indexed in %.1f s -> "
                            + "%.0f messages/s, %.1f sessions/s, %.1f points/s (%d points)%n",
                    messages,
                    insertSeconds,
                    seconds,
                    messages / seconds,
                    expected[0] / seconds,
                    points / seconds,
                    points);

            EmbeddingOptions embedding = EmbeddingOptions.builder().model(model).build();
            try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(embedding)) {
                embedAll(lease, texts.subList(0, Math.min(200, texts.size()))); // warm-up
                long t = System.nanoTime();
                embedAll(lease, texts);
                double embedSeconds = (System.nanoTime() - t) / 1e9;
                double textsPerSecond = texts.size() / embedSeconds;
                System.out.printf(
                        Locale.ROOT,
                        "embedder alone, same %d chunk texts, same options: %.1f s -> "
                                + "%.1f texts/s%n",
                        texts.size(),
                        embedSeconds,
                        textsPerSecond);
                System.out.printf(
                        Locale.ROOT,
                        "ratio end-to-end points/s : embedder texts/s = %.2f%n",
                        points / seconds / textsPerSecond);
            }
        } finally {
            postgres.stop();
        }
        System.exit(0);
    }

    /**
     * The job's options for the embedded PostgreSQL and the stand-in: defaults, parallelism 2, this
     * model.
     */
    static Map<String, String> jobOptions(
            EmbeddedPostgresExtension postgres, QdrantStandIn qdrant, String model) {
        Map<String, String> options = new HashMap<>();
        options.put("postgres.host", postgres.host());
        options.put("postgres.port", Integer.toString(postgres.port()));
        options.put("postgres.database", postgres.database());
        options.put("postgres.user", EmbeddedPostgresExtension.INDEXER_ROLE);
        options.put("postgres.publication", EmbeddedPostgresExtension.PUBLICATION);
        options.put("qdrant.host", qdrant.host());
        options.put("qdrant.port", Integer.toString(qdrant.port()));
        options.put("embedding.model", model);
        options.put("parallelism", "2");
        return options;
    }

    /** [sessions of at least min-messages, messages they cover], by the job's own grouping rule. */
    static int[] expectedSessions(SyntheticChat.Dataset data) {
        Map<Long, List<SessionMessage>> byChannel = new HashMap<>();
        for (SyntheticChat.Message m : data.messages()) {
            byChannel
                    .computeIfAbsent(m.channelId(), k -> new ArrayList<>())
                    .add(new SessionMessage(m.id(), m.authorId(), "x", m.timestamp(), m.content()));
        }
        int sessions = 0;
        int covered = 0;
        for (List<SessionMessage> channel : byChannel.values()) {
            for (Conversation s :
                    ConversationPlanner.conversations(
                            channel, SessionizerOptions.builder().build())) {
                if (s.size() >= SessionizerOptions.DEFAULT_MIN_MESSAGES) {
                    sessions++;
                    covered += s.size();
                }
            }
        }
        return new int[] {sessions, covered};
    }

    /** One written-back chunk: its channel's name and its messages. */
    record Chunk(String channelName, List<SessionMessage> messages) {
        String render() {
            return SessionTextRenderer.render(channelName, messages);
        }
    }

    /**
     * Every chunk the job wrote back ({@code message_sessions}), with its messages read from
     * Postgres.
     */
    static List<Chunk> writtenChunks(Connection c, Map<Long, String> channelNames)
            throws Exception {
        Map<Long, SessionMessage> messages = new HashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT m.id, m.author_id, "
                                        + "u.global_name, u.username, m.message_timestamp, m.content "
                                        + "FROM messages m LEFT JOIN users u ON u.id = m.author_id")) {
            while (rs.next()) {
                messages.put(
                        rs.getLong(1),
                        new SessionMessage(
                                rs.getLong(1),
                                rs.getLong(2),
                                SessionMessage.displayName(rs.getString(3), rs.getString(4)),
                                rs.getTimestamp(5).toInstant(),
                                rs.getString(6)));
            }
        }
        List<Chunk> chunks = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT channel_id, message_ids FROM message_sessions ORDER BY id")) {
            while (rs.next()) {
                Array ids = rs.getArray(2);
                List<SessionMessage> chunk = new ArrayList<>();
                for (Long id : (Long[]) ids.getArray()) {
                    chunk.add(messages.get(id));
                }
                chunks.add(new Chunk(channelNames.get(rs.getLong(1)), chunk));
            }
        }
        return chunks;
    }

    /** The texts the job embedded: every written-back chunk, rendered again from Postgres. */
    private static List<String> chunkTexts(Connection c, Map<Long, String> channelNames)
            throws Exception {
        List<String> texts = new ArrayList<>();
        for (Chunk chunk : writtenChunks(c, channelNames)) {
            texts.add(chunk.render());
        }
        return texts;
    }

    static void embedAll(EmbeddingModelPool.Lease lease, List<String> texts) {
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (String t : texts) {
            futures.add(lease.batcher().submit(t));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitSlotActive(Connection c) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (count(c, "SELECT count(*) FROM pg_replication_slots WHERE active") > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job's replication slot never became active");
    }
}
