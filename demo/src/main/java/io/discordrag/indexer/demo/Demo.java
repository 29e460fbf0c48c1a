package io.discordrag.indexer.demo;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.search.SearchHit;
import io.discordrag.indexer.job.search.SearchRequest;
import io.discordrag.indexer.job.search.SessionSearch;
import io.discordrag.indexer.job.session.Conversation;
import io.discordrag.indexer.job.session.ConversationPlanner;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.job.verify.VerifyCommand;
import io.discordrag.indexer.testing.data.ConversationalChat;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * The one-command demo: everything runs in this JVM except PostgreSQL (embedded binaries, a child
 * process). Starts PostgreSQL 16 with the schema, loads a generated sample (two guilds, a few
 * channels, a few thousand Discord-like messages), runs the streaming job in an embedded Flink
 * cluster with its Web UI, indexes into the Qdrant at {@code QDRANT_URL} if set (API key from
 * {@code QDRANT_API_KEY}) or else into the in-process Qdrant stand-in — and says which — then
 * searches each guild, edits and soft-deletes a message and shows the index follow, runs {@code
 * verify}, and exits 0. Any failure exits 1.
 *
 * <p>Options ({@link DemoOptions}, the job's dialect): {@code --messages N} (3000), {@code
 * --embedding.model ID} (all-MiniLM-L6-v2-q), {@code --ui-port P} (8081, or a free port if taken),
 * {@code --linger SECONDS} (0: keep the cluster and its Web UI up that long before exiting). Bad
 * options exit 2.
 */
public final class Demo {

    private static final String EDIT_TEXT =
            "update: the purple elephant migration is finally done, thanks everyone";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final PrintStream out;
    private final long startNanos = System.nanoTime();

    private Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = new Demo(System.out).run(args);
        } catch (Exception e) {
            System.out.println("demo FAILED: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private int run(String[] args) throws Exception {
        int messages;
        String model;
        int uiPort;
        int linger;
        try {
            Configuration options = DemoOptions.commandLine().parse(args).config();
            messages = options.get(DemoOptions.MESSAGES);
            model = options.get(DemoOptions.MODEL);
            uiPort = options.get(DemoOptions.UI_PORT);
            linger = options.get(DemoOptions.LINGER);
            checkArgument(messages >= 1, "messages must be positive, got %s", messages);
            checkArgument(
                    uiPort >= 0 && uiPort <= 65535, "ui-port must be 0..65535, got %s", uiPort);
            checkArgument(linger >= 0, "linger must not be negative, got %s", linger);
            EmbeddingOptions.builder().model(model);
        } catch (IllegalArgumentException e) {
            out.println(
                    "demo: "
                            + e.getMessage()
                            + " (options: "
                            + DemoOptions.commandLine().options().stream()
                                    .map(o -> "--" + o.key())
                                    .collect(java.util.stream.Collectors.joining(", "))
                            + ")");
            return 2;
        }
        out.println("discord-rag-indexer demo");

        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        QdrantStandIn standIn = null;
        try {
            out.printf(
                    "PostgreSQL: embedded PostgreSQL %d on %s:%d, wal_level=logical, schema from deploy/sql%n",
                    EmbeddedPostgresExtension.POSTGRES_MAJOR, postgres.host(), postgres.port());
            Map<String, String> options = new HashMap<>();
            String qdrantUrl = System.getenv("QDRANT_URL");
            if (qdrantUrl != null && !qdrantUrl.isBlank()) {
                URI uri = URI.create(qdrantUrl.contains("://") ? qdrantUrl : "http://" + qdrantUrl);
                options.put("qdrant.host", uri.getHost());
                options.put(
                        "qdrant.port", Integer.toString(uri.getPort() > 0 ? uri.getPort() : 6334));
                options.put("qdrant.tls", Boolean.toString("https".equals(uri.getScheme())));
                out.printf(
                        "Qdrant: the real Qdrant at %s (QDRANT_URL, gRPC), collection %s%n",
                        qdrantUrl, collection(options));
            } else {
                standIn = QdrantStandIn.startNew();
                options.put("qdrant.host", standIn.host());
                options.put("qdrant.port", Integer.toString(standIn.port()));
                out.printf(
                        "Qdrant: the in-process Qdrant STAND-IN on %s:%d (a test double, not a real Qdrant; "
                                + "set QDRANT_URL=http://host:6334 to index into a real one)%n",
                        standIn.host(), standIn.port());
            }
            run(postgres, options, messages, model, uiPort, linger);
        } finally {
            if (standIn != null) {
                standIn.close();
            }
            postgres.stop();
        }
        out.printf(Locale.ROOT, "demo finished OK in %.0f s%n", seconds());
        return 0;
    }

    private static String collection(Map<String, String> options) {
        return options.computeIfAbsent(
                "qdrant.collection",
                k -> "discord_demo_" + UUID.randomUUID().toString().substring(0, 8));
    }

    private void run(
            EmbeddedPostgresExtension postgres,
            Map<String, String> options,
            int messages,
            String model,
            int uiPort,
            int linger)
            throws Exception {
        ConversationalChat.Spec spec =
                ConversationalChat.Spec.of(messages)
                        .withSeed(7)
                        .withStart(Instant.now().minus(Duration.ofDays(30)));
        ConversationalChat.Generated generated =
                ConversationalChat.generateEndingBy(spec, Instant.now().minus(Duration.ofHours(1)));
        SyntheticChat.Dataset data = generated.dataset();
        int expected = coveredMessages(data);
        try (Connection admin = postgres.adminConnection()) {
            SyntheticChat.insertDirectory(admin, data);
            SyntheticChat.insertMessages(admin, data.messages());
        }
        out.printf(
                "sample: %d generated messages in %d guilds and %d channels by %d users (%d of them in "
                        + "conversations of 2+ messages, which are indexed)%n",
                messages, spec.guilds(), data.channels().size(), data.users().size(), expected);

        options.put("postgres.host", postgres.host());
        options.put("postgres.port", Integer.toString(postgres.port()));
        options.put("postgres.database", postgres.database());
        options.put("postgres.user", EmbeddedPostgresExtension.INDEXER_ROLE);
        options.put("postgres.publication", EmbeddedPostgresExtension.PUBLICATION);
        options.put("embedding.model", model);
        options.put("job.name", "discord-rag-indexer-demo");
        options.put("parallelism", "2");
        options.put("checkpoint.interval", "1 s");
        options.put("session.idle-timeout", "2 s");
        options.put("session.flush-delay", "200 ms");
        options.put("write-back.batch-interval", "200 ms");
        options.put("qdrant.batch.flush-interval", "200 ms");
        collection(options);
        IndexerConfig config =
                IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());

        int port = freeOr(uiPort);
        Configuration flink = new Configuration();
        flink.set(RestOptions.PORT, port);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        JobClient job = IndexerJob.start(env, config);
        out.printf(
                "Flink: the streaming job runs in an embedded Flink cluster; Web UI at http://localhost:%d "
                        + "(job %s, metrics per operator; %s)%n",
                port, job.getJobID(), webUiAnswers(port) ? "answering" : "NOT answering");

        try (Connection db = postgres.adminConnection();
                QdrantClient qdrant = QdrantClients.create(config.qdrantConnection());
                EmbeddingModel embedder = EmbeddingModel.load(ModelRegistry.builtIn(model), 0)) {
            String collection = options.get("qdrant.collection");
            long[] lastPrint = {0};
            await(
                    "indexing",
                    () -> {
                        long covered =
                                count(
                                        db,
                                        "SELECT count(*) FROM messages WHERE qdrant_point_id IS NOT NULL");
                        if (System.nanoTime() - lastPrint[0] > 3e9 || covered == expected) {
                            out.printf(
                                    Locale.ROOT,
                                    "progress %3.0f s: %d/%d messages indexed in %d points%n",
                                    seconds(),
                                    covered,
                                    expected,
                                    count(db, "SELECT count(*) FROM message_sessions"));
                            lastPrint[0] = System.nanoTime();
                        }
                        return covered == expected;
                    });

            SessionSearch search = new SessionSearch(qdrant, collection, embedder::embed);
            String[] queries = {
                "my espresso tastes sour", "pod in CrashLoopBackOff after a deploy",
                "who is healing at the raid", "sourdough starter is not rising"
            };
            List<Long> guilds = new ArrayList<>();
            data.channels()
                    .forEach(
                            c -> {
                                if (!guilds.contains(c.guildId())) {
                                    guilds.add(c.guildId());
                                }
                            });
            for (int i = 0; i < queries.length; i++) {
                long guild = guilds.get(i % guilds.size());
                List<SearchHit> hits =
                        search.search(SearchRequest.builder(guild, queries[i]).limit(3).build());
                out.printf(
                        "search in guild %s for \"%s\": %d results%n",
                        Long.toUnsignedString(guild), queries[i], hits.size());
                for (SearchHit h : hits) {
                    out.printf(
                            Locale.ROOT,
                            "  %.3f  guild %s #%s  %s%n         (%d messages; the generator wrote them"
                                    + " as a conversation about %s)%n",
                            h.score(),
                            Long.toUnsignedString(h.guildId()),
                            channelName(data, h.channelId()),
                            firstLine(h.content()),
                            h.messageIds().size(),
                            topics(generated, h.messageIds()));
                }
                if (hits.isEmpty() || hits.stream().anyMatch(h -> h.guildId() != guild)) {
                    throw new IllegalStateException(
                            "search in guild " + guild + " returned " + hits);
                }
            }

            edit(db, qdrant, collection, search);
            delete(db, qdrant, collection);

            ByteArrayOutputStream verifyOut = new ByteArrayOutputStream();
            int[] code = {-1};
            await(
                    "verify clean",
                    () -> {
                        verifyOut.reset();
                        code[0] =
                                VerifyCommand.execute(
                                        config,
                                        null,
                                        20,
                                        new PrintStream(verifyOut, true, StandardCharsets.UTF_8),
                                        new PrintStream(java.io.OutputStream.nullOutputStream()));
                        return code[0] == VerifyCommand.CLEAN;
                    });
            String summary =
                    verifyOut
                            .toString(StandardCharsets.UTF_8)
                            .strip()
                            .lines()
                            .reduce((a, b) -> b)
                            .orElse("")
                            .replaceFirst("^verify: ", "");
            out.println("verify: exit " + code[0] + ", " + summary);

            if (linger > 0) {
                out.printf("the cluster stays up for %d s: http://localhost:%d%n", linger, port);
                Thread.sleep(linger * 1000L);
            }
            if (System.getenv("QDRANT_URL") != null) {
                qdrant.deleteCollectionAsync(collection).get();
                out.println("dropped the demo collection " + collection + " from the real Qdrant");
            }
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Edits the first message of an indexed session and waits until its point carries the new text.
     */
    private void edit(Connection db, QdrantClient qdrant, String collection, SessionSearch search)
            throws Exception {
        long id;
        long guild;
        UUID point;
        try (ResultSet rs =
                db.createStatement()
                        .executeQuery(
                                "SELECT s.message_ids[1], s.guild_id, s.id "
                                        + "FROM message_sessions s WHERE s.message_count >= 3 ORDER BY s.end_time DESC LIMIT 1")) {
            rs.next();
            id = rs.getLong(1);
            guild = rs.getLong(2);
            point = (UUID) rs.getObject(3);
        }
        long t = System.nanoTime();
        try (PreparedStatement ps =
                db.prepareStatement("UPDATE messages SET content = ? WHERE id = ?")) {
            ps.setString(1, EDIT_TEXT);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        out.printf("edit: message %s now reads \"%s\"%n", Long.toUnsignedString(id), EDIT_TEXT);
        await("the edit in Qdrant", () -> content(qdrant, collection, point).contains(EDIT_TEXT));
        out.printf(
                Locale.ROOT,
                "edit: point %s re-embedded with the new text after %.1f s%n",
                point,
                (System.nanoTime() - t) / 1e9);
        List<SearchHit> hits =
                search.search(
                        SearchRequest.builder(guild, "purple elephant migration done")
                                .limit(3)
                                .build());
        boolean found = hits.stream().anyMatch(h -> h.pointId().equals(point));
        out.printf(
                "search in guild %s for \"purple elephant migration done\": edited session %s%n",
                Long.toUnsignedString(guild),
                found ? "found (rank " + (rank(hits, point) + 1) + ")" : "NOT found");
        if (!found) {
            throw new IllegalStateException(
                    "the edited session is not among the top results: " + hits);
        }
    }

    /**
     * Soft-deletes the second message of an indexed session and waits until its point no longer
     * lists it.
     */
    private void delete(Connection db, QdrantClient qdrant, String collection) throws Exception {
        long id;
        UUID point;
        try (ResultSet rs =
                db.createStatement()
                        .executeQuery(
                                "SELECT s.message_ids[2], s.id FROM message_sessions s "
                                        + "WHERE s.message_count >= 3 ORDER BY s.start_time LIMIT 1")) {
            rs.next();
            id = rs.getLong(1);
            point = (UUID) rs.getObject(2);
        }
        long t = System.nanoTime();
        try (PreparedStatement ps =
                db.prepareStatement("UPDATE messages SET is_deleted = true WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        out.printf(
                "delete: message %s soft-deleted (is_deleted = true)%n", Long.toUnsignedString(id));
        await(
                "the delete in Qdrant",
                () ->
                        !messageIds(qdrant, collection, point).contains(id)
                                && count(
                                                db,
                                                "SELECT count(*) FROM messages WHERE id = "
                                                        + id
                                                        + " AND qdrant_point_id IS NOT NULL")
                                        == 0);
        out.printf(
                Locale.ROOT,
                "delete: point %s no longer contains it (%d messages left) after %.1f s; "
                        + "messages.qdrant_point_id cleared%n",
                point,
                messageIds(qdrant, collection, point).size(),
                (System.nanoTime() - t) / 1e9);
    }

    private static int rank(List<SearchHit> hits, UUID point) {
        for (int i = 0; i < hits.size(); i++) {
            if (hits.get(i).pointId().equals(point)) {
                return i;
            }
        }
        return -1;
    }

    private static RetrievedPoint retrieve(QdrantClient qdrant, String collection, UUID point) {
        try {
            List<RetrievedPoint> found =
                    qdrant.retrieveAsync(
                                    collection,
                                    io.qdrant.client.PointIdFactory.id(point),
                                    true,
                                    false,
                                    null)
                            .get();
            return found.isEmpty() ? null : found.get(0);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot read point " + point + ": " + e.getMessage(), e);
        }
    }

    private static String content(QdrantClient qdrant, String collection, UUID point) {
        RetrievedPoint p = retrieve(qdrant, collection, point);
        Value v = p == null ? null : p.getPayloadMap().get("content");
        return v == null ? "" : v.getStringValue();
    }

    private static List<Long> messageIds(QdrantClient qdrant, String collection, UUID point) {
        RetrievedPoint p = retrieve(qdrant, collection, point);
        List<Long> ids = new ArrayList<>();
        if (p != null && p.getPayloadMap().containsKey("message_ids")) {
            p.getPayloadMap()
                    .get("message_ids")
                    .getListValue()
                    .getValuesList()
                    .forEach(v -> ids.add(v.getIntegerValue()));
        }
        return ids;
    }

    private static String channelName(SyntheticChat.Dataset data, long channel) {
        return data.channels().stream()
                .filter(c -> c.id() == channel)
                .map(SyntheticChat.Channel::name)
                .findFirst()
                .orElse(Long.toUnsignedString(channel));
    }

    /** The generator's topics of these messages, most frequent first. */
    private static String topics(ConversationalChat.Generated generated, List<Long> messageIds) {
        Map<String, Integer> count = new HashMap<>();
        for (long id : messageIds) {
            ConversationalChat.Truth t = generated.truth().get(id);
            if (t != null) {
                count.merge(t.topic(), 1, Integer::sum);
            }
        }
        return count.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .map(
                        e ->
                                e.getValue() == messageIds.size()
                                        ? e.getKey()
                                        : e.getKey() + " (" + e.getValue() + ")")
                .reduce((a, b) -> a + ", " + b)
                .orElse("?");
    }

    private static String firstLine(String content) {
        String[] lines = content.split("\n");
        String line = lines.length > 1 ? lines[1] : lines[0];
        return line.length() > 90 ? line.substring(0, 90) + "…" : line;
    }

    /** Messages in sessions of at least min-messages, by the job's own grouping rule. */
    private static int coveredMessages(SyntheticChat.Dataset data) {
        Map<Long, List<SessionMessage>> byChannel = new HashMap<>();
        for (SyntheticChat.Message m : data.messages()) {
            byChannel
                    .computeIfAbsent(m.channelId(), k -> new ArrayList<>())
                    .add(new SessionMessage(m.id(), m.authorId(), "", m.timestamp(), m.content()));
        }
        int covered = 0;
        for (List<SessionMessage> channel : byChannel.values()) {
            for (Conversation s :
                    ConversationPlanner.conversations(
                            channel, SessionizerOptions.builder().build())) {
                if (s.size() >= SessionizerOptions.DEFAULT_MIN_MESSAGES) {
                    covered += s.size();
                }
            }
        }
        return covered;
    }

    private static long count(Connection db, String sql) {
        try (ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code preferred} if it is free, else (or for 0) a free port. */
    private static int freeOr(int preferred) throws IOException {
        if (preferred > 0) {
            try (ServerSocket s = new ServerSocket(preferred)) {
                return preferred;
            } catch (IOException taken) {
                // fall through to any free port
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Whether the Web UI's REST API answers (the embedded cluster serves the UI on the same port).
     */
    private static boolean webUiAnswers(int port) {
        try {
            java.net.http.HttpResponse<String> r =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://localhost:"
                                                                    + port
                                                                    + "/jobs/overview"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("discord-rag-indexer-demo");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
