package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.sink.qdrant.PayloadSchema;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs the real streaming job (the same {@link IndexerJob#start} the main class uses) against the
 * embedded Postgres and a Qdrant target, and reads back what it produced: Qdrant points, Postgres
 * write-back, and the job's metrics through the MiniCluster's REST API.
 */
final class IndexerFixture implements AutoCloseable {

    static final Duration CONVERGENCE_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedPostgresExtension postgres;
    private final QdrantTarget qdrant;
    private final QdrantClient client;
    final String slot;
    final String collection;
    private JobClient job;

    IndexerFixture(
            EmbeddedPostgresExtension postgres,
            QdrantTarget qdrant,
            QdrantClient client,
            String name) {
        this.postgres = postgres;
        this.qdrant = qdrant;
        this.client = client;
        String base = name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        this.slot =
                base.substring(0, Math.min(base.length(), 40))
                        + "_"
                        + Long.toHexString(System.nanoTime());
        // short: Flink cuts operator names (which include the collection) to 80 characters in
        // metric ids
        this.collection =
                QdrantTarget.uniqueCollectionName(name.substring(0, Math.min(name.length(), 24)));
    }

    /**
     * A MiniCluster for the job: one TaskManager with 4 slots, metrics fetched every 500 ms for
     * REST reads.
     */
    static org.apache.flink.test.junit5.MiniClusterExtension miniCluster() {
        return miniCluster(new org.apache.flink.configuration.Configuration());
    }

    /**
     * Like {@link #miniCluster()}, with {@code reporter} registered: tests read metrics from it
     * directly, as the job updates them, instead of waiting for the REST metric fetcher.
     */
    static org.apache.flink.test.junit5.MiniClusterExtension miniCluster(
            InMemoryReporter reporter) {
        return miniCluster(
                reporter.addToConfiguration(new org.apache.flink.configuration.Configuration()));
    }

    private static org.apache.flink.test.junit5.MiniClusterExtension miniCluster(
            org.apache.flink.configuration.Configuration c) {
        c.set(
                org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL,
                Duration.ofMillis(500));
        return new org.apache.flink.test.junit5.MiniClusterExtension(
                new org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(c)
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(4)
                        .build());
    }

    /** Empties the tables and makes a fixture named after the running test. */
    static IndexerFixture forTest(
            EmbeddedPostgresExtension postgres,
            io.discordrag.indexer.testing.qdrant.QdrantExtension qdrant,
            org.junit.jupiter.api.TestInfo test)
            throws SQLException {
        postgres.truncateAll();
        return new IndexerFixture(
                postgres,
                qdrant.target(),
                qdrant.client(),
                test.getTestMethod().orElseThrow().getName());
    }

    /** The job's options as a user would give them, tuned to converge quickly in a test. */
    Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        o.put("postgres.host", postgres.host());
        o.put("postgres.port", Integer.toString(postgres.port()));
        o.put("postgres.database", postgres.database());
        o.put("postgres.user", EmbeddedPostgresExtension.INDEXER_ROLE);
        o.put("postgres.slot", slot);
        o.put("postgres.publication", EmbeddedPostgresExtension.PUBLICATION);
        o.put("qdrant.host", qdrant.host());
        o.put("qdrant.port", Integer.toString(qdrant.port()));
        o.put("qdrant.tls", Boolean.toString(qdrant.tls()));
        o.put("qdrant.collection", collection);
        o.put("qdrant.batch.flush-interval", "200 ms");
        o.put("parallelism", "2");
        o.put("checkpoint.interval", "1 s");
        o.put("session.idle-timeout", "2 s");
        o.put("session.flush-delay", "200 ms");
        o.put("write-back.batch-interval", "200 ms");
        return o;
    }

    JobClient start() throws Exception {
        return start(options());
    }

    /** The job's configuration as {@link IndexerJob} and {@code verify} read it. */
    IndexerConfig config(Map<String, String> options) {
        if (EmbeddedPostgresExtension.passwordFromEnvironment()) { // the production route
            Map<String, String> withEnv = new java.util.HashMap<>(options);
            withEnv.putIfAbsent("postgres.password-env", EmbeddedPostgresExtension.PASSWORD_ENV);
            return IndexerConfig.fromMap(withEnv);
        }
        return IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());
    }

    JobClient start(Map<String, String> options) throws Exception {
        IndexerConfig config = config(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job = IndexerJob.start(env, config);
        awaitRunning();
        return job;
    }

    /**
     * Runs the job in a bounded mode ({@code backfill}) to its end and returns the job's
     * accumulators (rows read, points upserted and deleted).
     */
    Map<String, Object> runToCompletion(Map<String, String> options) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient bounded = IndexerJob.start(env, config(options));
        return bounded.getJobExecutionResult()
                .get(5, java.util.concurrent.TimeUnit.MINUTES)
                .getAllAccumulatorResults();
    }

    /** Forgets what was indexed on the Postgres side (write-back), as before any run. */
    void resetWriteBack() throws SQLException {
        postgres.execute(
                "TRUNCATE message_sessions",
                "UPDATE messages SET qdrant_point_id = NULL WHERE qdrant_point_id IS NOT NULL");
    }

    /** message_sessions as rows of text (every column, indexed_at included), by id. */
    Map<String, String> sessionTable() throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = postgres.adminConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT id, guild_id, channel_id, start_time, end_time, message_ids, message_count, chunk, model, "
                                                + "content_fingerprint, indexed_at FROM message_sessions")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 2; i <= n; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                out.put(rs.getString(1), row.toString());
            }
        }
        return out;
    }

    JobID jobId() {
        return job.getJobID();
    }

    JobStatus status() throws Exception {
        return job.getJobStatus().get();
    }

    private void awaitRunning() throws Exception {
        await(
                "job running",
                Duration.ofMinutes(1),
                () -> {
                    try {
                        return status() == JobStatus.RUNNING;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "status not RUNNING");
        // The CDC source opens its slot after the snapshot; give it a moment to start streaming.
        await(
                "replication slot active",
                Duration.ofMinutes(1),
                () -> slotActive().orElse(false),
                () -> "slot " + slot + " not active");
    }

    /** Whether a job holds the replication slot; empty if that cannot be read. */
    private java.util.Optional<Boolean> slotActive() {
        try (Connection c = postgres.adminConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return java.util.Optional.of(rs.next() && rs.getBoolean(1));
            }
        } catch (SQLException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Waits until no job holds the replication slot (a cancelled job's connection closes shortly
     * after).
     */
    void awaitSlotInactive() throws InterruptedException {
        await(
                "replication slot inactive",
                Duration.ofMinutes(1),
                () -> !slotActive().orElse(true),
                () -> "slot " + slot + " still active");
    }

    /** Cancels the job and waits until it has stopped (the collection and slot stay). */
    void stopJob() throws Exception {
        if (job != null) {
            try {
                job.cancel().get();
            } catch (ExecutionException ignored) {
                // already finished
            }
            await(
                    "job cancelled",
                    Duration.ofMinutes(1),
                    () -> {
                        try {
                            return status().isGloballyTerminalState();
                        } catch (Exception e) {
                            return true;
                        }
                    },
                    () -> "job did not stop");
        }
        job = null;
    }

    @Override
    public void close() throws Exception {
        stopJob();
        await(
                "slot dropped",
                Duration.ofMinutes(1),
                () -> {
                    try {
                        postgres.execute(
                                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                                        + "WHERE slot_name = '"
                                        + slot
                                        + "' AND NOT active");
                        try (Connection c = postgres.adminConnection();
                                ResultSet rs =
                                        c.createStatement()
                                                .executeQuery(
                                                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                                                                + slot
                                                                + "'")) {
                            rs.next();
                            return rs.getInt(1) == 0;
                        }
                    } catch (SQLException e) {
                        return false;
                    }
                },
                () -> "slot " + slot + " still present");
        try {
            client.deleteCollectionAsync(collection).get();
        } catch (ExecutionException ignored) {
            // never created
        }
    }

    // ------------------------------------------------------------------ Postgres data

    void user(long id, String username, String globalName) throws SQLException {
        update(
                "INSERT INTO users (id, username, global_name) VALUES (?, ?, ?)",
                id,
                username,
                globalName);
    }

    void channel(long id, long guild, String name) throws SQLException {
        update("INSERT INTO channels (id, guild_id, name) VALUES (?, ?, ?)", id, guild, name);
    }

    void message(long id, long guild, long channel, long author, String content, Instant time)
            throws SQLException {
        update(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp) "
                        + "VALUES (?, ?, ?, ?, ?, ?)",
                id,
                guild,
                channel,
                author,
                content,
                Timestamp.from(time));
    }

    /** A message that uses Discord's reply feature on {@code replyTo}. */
    void reply(
            long id,
            long guild,
            long channel,
            long author,
            String content,
            Instant time,
            long replyTo)
            throws SQLException {
        update(
                "INSERT INTO messages (id, guild_id, channel_id, author_id, content, message_timestamp,"
                        + " reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id,
                guild,
                channel,
                author,
                content,
                Timestamp.from(time),
                replyTo);
    }

    /** Inserts many messages in one transaction. */
    void messages(List<Msg> messages) throws SQLException {
        try (Connection c = postgres.adminConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO messages (id, guild_id, channel_id, "
                                    + "author_id, content, message_timestamp) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Msg m : messages) {
                    ps.setLong(1, m.id());
                    ps.setLong(2, m.guild());
                    ps.setLong(3, m.channel());
                    ps.setLong(4, m.author());
                    ps.setString(5, m.content());
                    ps.setTimestamp(6, Timestamp.from(m.time()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    void update(String sql, Object... args) throws SQLException {
        try (Connection c = postgres.adminConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    /** messages.qdrant_point_id by message id (null where unset). */
    Map<Long, String> writtenBack() throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = postgres.adminConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery("SELECT id, qdrant_point_id FROM messages")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }

    /** message_sessions: id → message ids. */
    Map<String, List<Long>> sessionRows() throws SQLException {
        Map<String, List<Long>> out = new TreeMap<>();
        try (Connection c = postgres.adminConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery("SELECT id, message_ids FROM message_sessions")) {
            while (rs.next()) {
                List<Long> ids = new ArrayList<>();
                for (Long id : (Long[]) rs.getArray(2).getArray()) {
                    ids.add(id);
                }
                out.put(rs.getString(1), ids);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ Qdrant

    /** Points in the collection (0 while it does not exist). */
    long pointCount() throws Exception {
        return client.collectionExistsAsync(collection).get()
                ? client.countAsync(collection).get()
                : 0;
    }

    /** Every point of the collection, by id. */
    Map<String, Point> points() throws Exception {
        return points(collection);
    }

    /** Every point of that collection, by id. */
    Map<String, Point> points(String collection) throws Exception {
        Map<String, Point> out = new TreeMap<>();
        if (!client.collectionExistsAsync(collection).get()) {
            return out;
        }
        PointId offset = null;
        do {
            ScrollPoints.Builder request =
                    ScrollPoints.newBuilder()
                            .setCollectionName(collection)
                            .setLimit(256)
                            .setWithPayload(WithPayloadSelectorFactory.enable(true))
                            .setWithVectors(WithVectorsSelectorFactory.enable(true));
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = client.scrollAsync(request.build()).get();
            for (RetrievedPoint p : page.getResultList()) {
                Point point = Point.of(p);
                out.put(point.id(), point);
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
        return out;
    }

    /** A point as read back from Qdrant. */
    record Point(
            String id,
            long guild,
            long channel,
            List<Long> messageIds,
            String content,
            int chunk,
            float[] vector,
            long conversationId) {
        static Point of(RetrievedPoint p) {
            Map<String, Value> payload = p.getPayloadMap();
            List<Long> ids = new ArrayList<>();
            for (Value v : payload.get(PayloadSchema.MESSAGE_IDS).getListValue().getValuesList()) {
                ids.add(v.getIntegerValue());
            }
            var v = p.getVectors().getVector();
            List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
            float[] vector = new float[data.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = data.get(i);
            }
            return new Point(
                    p.getId().getUuid(),
                    payload.get(PayloadSchema.GUILD_ID).getIntegerValue(),
                    payload.get(PayloadSchema.CHANNEL_ID).getIntegerValue(),
                    ids,
                    payload.get(PayloadSchema.CONTENT).getStringValue(),
                    (int) payload.get(PayloadSchema.CHUNK).getIntegerValue(),
                    vector,
                    payload.containsKey(PayloadSchema.CONVERSATION_ID)
                            ? payload.get(PayloadSchema.CONVERSATION_ID).getIntegerValue()
                            : 0);
        }
    }

    // ------------------------------------------------------------------ metrics (REST)

    /**
     * Sum over all subtasks of the operator metric {@code id} as the REST API names it: {@code
     * <operator name with spaces and colons as _>.<metric>}, e.g. {@code
     * Embed_chunks.textsEmbedded}.
     */
    long metric(String restUrl, String name) throws Exception {
        return metric(restUrl, name, "sum");
    }

    /**
     * Like {@link #metric(String, String)}, aggregated over subtasks with {@code agg} (sum, max,
     * min). The REST metric store is filled asynchronously (the first request of a new job may find
     * it empty), so a metric not listed yet is asked for again for a few seconds.
     */
    long metric(String restUrl, String name, String agg) throws Exception {
        return metric(restUrl, name::equals, name, agg);
    }

    /**
     * Sum over all subtasks of the metrics whose REST id ends with {@code suffix}: for metrics of
     * another library under label groups, e.g. Flink CDC's {@code
     * ….table.messages.numInsertDMLRecords}.
     */
    long metricEndingWith(String restUrl, String suffix) throws Exception {
        return metric(restUrl, id -> id.endsWith(suffix), "…" + suffix, "sum");
    }

    private long metric(
            String restUrl, java.util.function.Predicate<String> id, String name, String agg)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return metricOnce(restUrl, id, name, agg);
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    private long metricOnce(
            String restUrl, java.util.function.Predicate<String> wanted, String name, String agg)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode jobInfo = get(http, restUrl + "/jobs/" + jobId());
        long sum = 0;
        boolean found = false;
        for (JsonNode vertex : jobInfo.get("vertices")) {
            String base =
                    restUrl
                            + "/jobs/"
                            + jobId()
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
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode m : get(http, base + "?get=" + String.join(",", ids) + "&agg=" + agg)) {
                sum += (long) m.get(agg).asDouble();
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException("no metric named " + name + " in job " + jobId());
        }
        return sum;
    }

    /**
     * How often the job has been restarted, through REST: the highest execution attempt of its
     * source's subtasks (each failover of the whole job deploys every task again with the next
     * attempt number).
     */
    int restarts(String restUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode info = get(http, restUrl + "/jobs/" + jobId());
        String vertex = info.get("vertices").get(0).get("id").asText();
        int max = 0;
        for (JsonNode subtask :
                get(http, restUrl + "/jobs/" + jobId() + "/vertices/" + vertex).get("subtasks")) {
            max = Math.max(max, subtask.get("attempt").asInt());
        }
        return max;
    }

    /** The job's checkpoint statistics through REST ({@code /jobs/<id>/checkpoints}). */
    JsonNode checkpointStats(String restUrl) throws Exception {
        return get(HttpClient.newHttpClient(), restUrl + "/jobs/" + jobId() + "/checkpoints");
    }

    /** Whether the job and every one of its tasks is RUNNING (REST). */
    boolean allTasksRunning(String restUrl) {
        try {
            JsonNode info = get(HttpClient.newHttpClient(), restUrl + "/jobs/" + jobId());
            if (!"RUNNING".equals(info.get("state").asText())) {
                return false;
            }
            for (JsonNode vertex : info.get("vertices")) {
                JsonNode counts = vertex.get("tasks");
                if (counts.get("RUNNING").asInt() != vertex.get("parallelism").asInt()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + url + " → " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    // ------------------------------------------------------------------ verify

    /** What one {@code verify} run printed and returned. */
    record VerifyRun(int exitCode, String out, String err) {
        /**
         * Asserts the exit code; a failure shows everything verify printed, its error output
         * included.
         */
        VerifyRun assertExit(int expected) {
            org.assertj.core.api.Assertions.assertThat(exitCode)
                    .as("verify's exit code; it printed:%n%s%n-- stderr --%n%s", out, err)
                    .isEqualTo(expected);
            return this;
        }

        boolean lists(
                io.discordrag.indexer.job.verify.Finding.Kind kind,
                String pointId,
                String messages) {
            return out.lines()
                    .anyMatch(
                            l ->
                                    l.startsWith(kind.name() + " ")
                                            && (pointId == null || l.contains("point " + pointId))
                                            && (messages == null
                                                    || l.contains("messages " + messages)));
        }

        long count(io.discordrag.indexer.job.verify.Finding.Kind kind) {
            return out.lines().filter(l -> l.startsWith(kind.name() + " ")).count();
        }
    }

    /** Runs {@code verify} (as the command does) with these job options. */
    VerifyRun verify(Map<String, String> options, Long guild) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code =
                io.discordrag.indexer.job.verify.VerifyCommand.execute(
                        config(options),
                        guild,
                        1000,
                        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                        new java.io.PrintStream(
                                err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new VerifyRun(
                code,
                out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    VerifyRun verify(Long guild) {
        return verify(options(), guild);
    }

    /**
     * Waits until {@code verify} of the whole index is clean (the job has caught up), and returns
     * that run.
     */
    VerifyRun awaitVerifiedClean() throws InterruptedException {
        return awaitVerifiedClean(options());
    }

    /** Like {@link #awaitVerifiedClean()}, for a job run with these options. */
    VerifyRun awaitVerifiedClean(Map<String, String> options) throws InterruptedException {
        VerifyRun[] last = new VerifyRun[1];
        await(
                "verify clean",
                CONVERGENCE_TIMEOUT,
                () -> {
                    last[0] = verify(options, null);
                    return last[0].exitCode()
                            == io.discordrag.indexer.job.verify.VerifyCommand.CLEAN;
                },
                () -> last[0] == null ? "none" : last[0].out() + last[0].err());
        return last[0];
    }

    // ------------------------------------------------------------------ waiting

    static void await(
            String what, Duration timeout, BooleanSupplier condition, Supplier<String> lastState)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + "; last state: "
                                + lastState.get());
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the point set has these ids (and no others), then returns it. */
    Map<String, Point> awaitPointIds(java.util.Set<String> expected) throws Exception {
        Map<String, Point>[] last = new Map[1];
        await(
                "points " + expected,
                CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        last[0] = points();
                        return last[0].keySet().equals(expected);
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> String.valueOf(last[0] == null ? null : last[0].values()));
        return last[0];
    }

    /** A message to insert. */
    record Msg(long id, long guild, long channel, long author, String content, Instant time) {}
}
