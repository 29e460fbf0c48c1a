package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.testing.data.ConversationalChat;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.flink.FlinkProcess;
import io.discordrag.indexer.testing.flink.StandaloneFlinkCluster;
import io.discordrag.indexer.testing.flink.StandaloneFlinkCluster.CliRun;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.udf.model.ModelRegistry;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar on a real Flink 1.20.3 standalone session cluster: JobManager and TaskManagers
 * as separate JVMs run from the Flink installation that module {@code flink-dist-test} assembles
 * from Maven Central, the job submitted with Flink's own CLI exactly as README says ({@code flink
 * run -d <jar> --config <file>}, the password only in every process's environment), PostgreSQL
 * requiring the indexer role's password, and the Qdrant fixture. One scenario, in order: the job
 * indexes and {@code verify} is clean; after {@code kill -9} of the TaskManager and a new one,
 * nothing is lost; three stop-with-savepoint and resubmissions on that same TaskManager each index
 * a new message, after which the TaskManager holds at most one user-code classloader and one copy
 * of each native library, and no more DJL temp directories than before; the Prometheus endpoints
 * serve every metric the Grafana dashboard queries; no log file of any process contains the
 * password. Logs stay in {@code job/target/real-cluster/cluster/log}.
 */
class RealClusterITCase {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final Path WORK = Path.of("target", "real-cluster").toAbsolutePath();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final long GUILD = 1;
    private static final List<Long> CHANNELS = List.of(11L, 12L, 13L);

    /** Messages of history in the database when the job is first submitted. */
    private static final int HISTORY = 10_000;

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Native libraries the embedding stage loads; each must be mapped once per TaskManager. */
    private static final List<String> NATIVE_LIBRARIES =
            List.of("libonnxruntime.so", "libonnxruntime4j_jni.so", "libtokenizers.so");

    private IndexerFixture fx;
    private StandaloneFlinkCluster cluster;
    private String jobId;
    private long nextMessageId = 1;
    private final List<Long> inserted = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (cluster != null && jobId != null && isRunning(jobId)) {
                cluster.cli(CLI_TIMEOUT, "cancel", jobId);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (fx != null) {
                fx.close();
            }
        }
    }

    @Test
    void runsOnARealClusterRecoversResubmitsAndKeepsThePasswordOutOfEveryLog(TestInfo test)
            throws Exception {
        long started = System.nanoTime();
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        fx.user(1, "alice", "Alice");
        fx.user(2, "bob", "Bob");
        for (long channel : CHANNELS) {
            fx.channel(channel, GUILD, "channel-" + channel);
        }
        Map<String, String> options = fx.options();
        options.put("parallelism", "1");
        // the default model: the one the default job jar carries (README "Choosing the models")
        options.put("embedding.model", ModelRegistry.DEFAULT_MODEL);
        deleteRecursively(WORK);
        Path jobProperties = Files.createDirectories(WORK).resolve("job.properties");
        StringBuilder properties = new StringBuilder();
        new TreeMap<>(options).forEach((k, v) -> properties.append(k + ": " + v + "\n"));
        Files.writeString(jobProperties, properties);
        String password = POSTGRES.indexerPassword();

        Path jobJar = Path.of(System.getProperty("job.jar"));
        cluster =
                StandaloneFlinkCluster.builder(
                                Path.of(System.getProperty("flink.home")), WORK.resolve("cluster"))
                        // the native-library jars, parent-first, as deploy/Dockerfile installs them
                        .extraLib(jobJar.resolveSibling("flink-lib"))
                        .config(
                                "classloader.parent-first-patterns.additional",
                                "ai.onnxruntime.;ai.djl.")
                        // a killed TaskManager is noticed in seconds, not after 50 s
                        .config("heartbeat.interval", "2000")
                        .config("heartbeat.timeout", "10000")
                        .config("restart-strategy.type", "fixed-delay")
                        .config("restart-strategy.fixed-delay.attempts", "1000")
                        .config("restart-strategy.fixed-delay.delay", "1 s")
                        // README: the TaskManagers need the password too
                        .environment("POSTGRES_PASSWORD", password)
                        .start();
        phase("cluster started", started);

        // a. indexes what is there and what comes; verify is clean. What is there includes a
        // history of HISTORY messages (up to ten minutes ago): how soon after flink run the first
        // of them is searchable is printed (README "Freshness"), not asserted (shared machines)
        SyntheticChat.Dataset history =
                ConversationalChat.generateEndingBy(
                                ConversationalChat.Spec.of(HISTORY),
                                Instant.now().minusSeconds(600))
                        .dataset();
        try (Connection c = POSTGRES.adminConnection()) {
            SyntheticChat.insertDirectory(c, history);
            for (int i = 0; i < HISTORY; i += 1000) {
                SyntheticChat.insertMessages(
                        c, history.messages().subList(i, Math.min(HISTORY, i + 1000)));
            }
        }
        insertMessages(12);
        long submitted = System.nanoTime();
        jobId = submit(jobJar, jobProperties);
        phase("job submitted", started);
        IndexerFixture.await(
                "a first point",
                CLI_TIMEOUT,
                () -> {
                    try {
                        return fx.pointCount() > 0;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "no point yet");
        System.out.printf(
                "[real cluster] first point %.1f s after flink run, on a database of %d messages%n",
                (System.nanoTime() - submitted) / 1e9, HISTORY + 12);
        assertThat(cluster.cli(CLI_TIMEOUT, "list", "-r").assertSuccess().output())
                .as("flink list -r")
                .contains(jobId);
        insertMessages(6);
        fx.awaitVerifiedClean(options).assertExit(0);
        assertEveryMessageIndexed();
        phase("a. indexed, verify clean", started);

        // b. kill -9 of the TaskManager, a new one, nothing lost
        FlinkProcess killed = cluster.taskManagers().get(0);
        killed.killHard();
        insertMessages(4); // while no TaskManager runs
        FlinkProcess taskManager = cluster.startTaskManager();
        awaitAllTasksRunning(jobId, RECOVERY_TIMEOUT);
        insertMessages(4);
        fx.awaitVerifiedClean(options).assertExit(0);
        assertEveryMessageIndexed();
        phase("b. recovered after kill -9 of " + killed, started);
        long djlDirsBefore = djlTempDirs(taskManager);

        // c. three stop-with-savepoint and resubmissions on the same TaskManager
        List<Long> djlDirsAfter = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            String savepoint = stopWithSavepoint(jobId);
            jobId = submit(jobJar, jobProperties, "-s", savepoint);
            assertThat(cluster.taskManagers())
                    .as("the same TaskManager runs the resubmitted job")
                    .containsExactly(taskManager);
            insertMessages(1);
            awaitEveryMessageIndexed();
            djlDirsAfter.add(djlTempDirs(taskManager));
            phase("c. resubmission " + round + " indexed", started);
        }
        fx.awaitVerifiedClean(options).assertExit(0);

        SoftAssertions softly = new SoftAssertions();
        Leaks leaks = measureLeaks(taskManager);
        // for a leak's diagnosis: which threads (of which jobs) are still alive
        Files.writeString(
                cluster.workDir().resolve("log").resolve(taskManager + "-threads.txt"),
                taskManager.jcmd("Thread.print"));
        System.out.printf(
                "RealClusterITCase measured on %s after 3 resubmissions: %s; djl temp dirs %d before, %s after each%n",
                taskManager, leaks, djlDirsBefore, djlDirsAfter);
        if (leaks.userCodeClassLoaders() > 1) { // for the diagnosis: what still holds it
            taskManager.jcmd(
                    "GC.heap_dump",
                    cluster.workDir().resolve("log").resolve("taskmanager-leak.hprof").toString());
        }
        softly.assertThat(leaks.userCodeClassLoaders())
                .as(
                        "user-code classloaders alive after full GCs on %s (the running job's only;"
                                + " heap dump taskmanager-leak.hprof beside its log); %s",
                        taskManager, leaks)
                .isLessThanOrEqualTo(1);
        for (String library : NATIVE_LIBRARIES) {
            softly.assertThat(leaks.mappedCopies().get(library))
                    .as("copies of %s mapped by %s; %s", library, taskManager, leaks)
                    .hasSizeLessThanOrEqualTo(1);
        }
        softly.assertThat(djlDirsAfter)
                .as(
                        "*djl* directories in %s after each resubmission (%d before the first)",
                        taskManager.tmpDir(), djlDirsBefore)
                .allMatch(n -> n <= djlDirsBefore);

        // d. every metric the dashboard queries is served by the Prometheus reporters
        Set<String> missing = missingDashboardMetrics(taskManager);
        softly.assertThat(missing)
                .as("dashboard metrics not served by %s or %s", cluster.jobManager(), taskManager)
                .isEmpty();

        // e. no log line of any process contains the password
        List<String> hits = passwordHits(password);
        softly.assertThat(hits)
                .as("log lines with the PostgreSQL password (shown as <password>)")
                .isEmpty();
        phase("d./e. metrics and logs checked", started);
        softly.assertAll();
    }

    // ------------------------------------------------------------------ CLI and REST

    /** {@code flink run -d [extra…] <jar> --config <file>} and waits until every task runs. */
    private String submit(Path jobJar, Path jobProperties, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(List.of(extra));
        args.addAll(List.of(jobJar.toString(), "--config", jobProperties.toString()));
        CliRun run = cluster.cli(CLI_TIMEOUT, args.toArray(String[]::new)).assertSuccess();
        Matcher m = JOB_ID.matcher(run.output());
        assertThat(m.find()).as("job id in the output of flink run:%n%s", run.output()).isTrue();
        String id = m.group(1);
        awaitAllTasksRunning(id, RECOVERY_TIMEOUT);
        return id;
    }

    /**
     * {@code flink stop --savepointPath <dir> <job>}; returns the savepoint once the job has
     * finished and released its replication slot.
     */
    private String stopWithSavepoint(String job) throws Exception {
        String dir = WORK.resolve("savepoints").toUri().toString();
        CliRun run = cluster.cli(CLI_TIMEOUT, "stop", "--savepointPath", dir, job).assertSuccess();
        Matcher m = SAVEPOINT.matcher(run.output());
        assertThat(m.find())
                .as("savepoint path in the output of flink stop:%n%s", run.output())
                .isTrue();
        IndexerFixture.await(
                "job " + job + " finished",
                CLI_TIMEOUT,
                () -> "FINISHED".equals(jobState(job)),
                () -> jobState(job));
        fx.awaitSlotInactive();
        return m.group(1);
    }

    private void awaitAllTasksRunning(String job, Duration timeout) throws InterruptedException {
        IndexerFixture.await(
                "every task of job " + job + " running",
                timeout,
                () -> allTasksRunning(job),
                () -> jobState(job) + "\n" + cluster.jobManager().tail(30));
    }

    private boolean allTasksRunning(String job) {
        try {
            JsonNode info = JSON.readTree(cluster.rest("/jobs/" + job));
            if (!"RUNNING".equals(info.get("state").asText())) {
                return false;
            }
            for (JsonNode vertex : info.get("vertices")) {
                if (vertex.get("tasks").get("RUNNING").asInt()
                        != vertex.get("parallelism").asInt()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean isRunning(String job) {
        return "RUNNING".equals(jobState(job));
    }

    private String jobState(String job) {
        try {
            return JSON.readTree(cluster.rest("/jobs/" + job)).get("state").asText();
        } catch (Exception e) {
            return e.toString();
        }
    }

    // ------------------------------------------------------------------ data

    /** Inserts {@code n} messages round-robin over the channels, a minute apart. */
    private void insertMessages(int n) throws Exception {
        List<IndexerFixture.Msg> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = nextMessageId++;
            long channel = CHANNELS.get((int) (id % CHANNELS.size()));
            batch.add(
                    new IndexerFixture.Msg(
                            id,
                            GUILD,
                            channel,
                            1 + id % 2,
                            "message " + id + " about deploying release " + (id % 5),
                            T0.plusSeconds(60 * id)));
            inserted.add(id);
        }
        fx.messages(batch);
    }

    private Set<Long> indexedMessageIds() {
        Set<Long> ids = new TreeSet<>();
        try {
            fx.points().values().forEach(p -> ids.addAll(p.messageIds()));
        } catch (Exception e) {
            // not readable now: the caller asks again
        }
        return ids;
    }

    private void awaitEveryMessageIndexed() throws InterruptedException {
        IndexerFixture.await(
                "every inserted message in a point",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> indexedMessageIds().containsAll(inserted),
                () -> "indexed " + indexedMessageIds() + " of " + inserted);
    }

    private void assertEveryMessageIndexed() throws Exception {
        assertThat(indexedMessageIds()).as("messages in points").containsAll(inserted);
        Map<Long, String> writtenBack = new TreeMap<>(fx.writtenBack());
        writtenBack.keySet().retainAll(inserted); // the history's are verify's to check
        assertThat(writtenBack)
                .as("messages.qdrant_point_id written back")
                .containsOnlyKeys(inserted)
                .doesNotContainValue(null);
    }

    // ------------------------------------------------------------------ measurements

    /** What a TaskManager JVM holds after full GCs. */
    record Leaks(
            long userCodeClassLoaders,
            long safetyNetWrappers,
            Map<String, Set<String>> mappedCopies) {}

    /**
     * {@link #measureOnce} until at most one user-code classloader is alive or {@link
     * #LEAK_SETTLE_TIME} passed: a stopped job's classloader stays reachable while threads it
     * started finish idling out (pgjdbc's cleaner thread ends 30 s after its last connection).
     */
    private static Leaks measureLeaks(FlinkProcess taskManager) throws Exception {
        long start = System.nanoTime();
        Leaks leaks = measureOnce(taskManager);
        while (leaks.userCodeClassLoaders() > 1
                && System.nanoTime() - start < LEAK_SETTLE_TIME.toNanos()) {
            Thread.sleep(5_000);
            leaks = measureOnce(taskManager);
        }
        System.out.printf(
                "RealClusterITCase: %d user-code classloaders alive %d s after the last stop%n",
                leaks.userCodeClassLoaders(), (System.nanoTime() - start) / 1_000_000_000);
        return leaks;
    }

    private static final java.time.Duration LEAK_SETTLE_TIME = java.time.Duration.ofSeconds(75);

    private static Leaks measureOnce(FlinkProcess taskManager) throws Exception {
        taskManager.jcmd("GC.run");
        taskManager.jcmd("GC.run");
        // GC.class_histogram counts live objects only (it runs a full GC first)
        String histogram = taskManager.jcmd("GC.class_histogram");
        long childFirst = instances(histogram, "org.apache.flink.util.ChildFirstClassLoader");
        long parentFirst =
                instances(
                        histogram,
                        "org.apache.flink.util.FlinkUserCodeClassLoaders$ParentFirstClassLoader");
        long wrappers =
                instances(
                        histogram,
                        "org.apache.flink.util.FlinkUserCodeClassLoaders$SafetyNetWrapperClassLoader");
        Map<String, Set<String>> mapped = new TreeMap<>();
        NATIVE_LIBRARIES.forEach(l -> mapped.put(l, new TreeSet<>()));
        for (String line : taskManager.memoryMaps()) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String file = line.substring(slash).replace(" (deleted)", "");
            String name = file.substring(file.lastIndexOf('/') + 1);
            if (mapped.containsKey(name)) {
                mapped.get(name).add(file);
            }
        }
        return new Leaks(childFirst + parentFirst, wrappers, mapped);
    }

    /** Live instances of {@code className} in a {@code GC.class_histogram} output. */
    private static long instances(String histogram, String className) {
        long sum = 0;
        for (String line : histogram.lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[0].endsWith(":") && cols[3].equals(className)) {
                sum += Long.parseLong(cols[1]);
            }
        }
        return sum;
    }

    private static long djlTempDirs(FlinkProcess process) throws IOException {
        try (Stream<Path> files = Files.list(process.tmpDir())) {
            return files.filter(f -> f.getFileName().toString().contains("djl")).count();
        }
    }

    /** Dashboard metrics neither the JobManager's nor the TaskManager's reporter serves. */
    private Set<String> missingDashboardMetrics(FlinkProcess taskManager) throws IOException {
        String dashboard =
                Files.readString(
                        ROOT.resolve("deploy/grafana/dashboards/discord-rag-indexer.json"),
                        StandardCharsets.UTF_8);
        Set<String> queried = ReportedMetrics.queriedMetrics(dashboard);
        assertThat(queried).hasSizeGreaterThan(20);
        Set<String> served = new TreeSet<>();
        served.addAll(metricNames(cluster.prometheus(cluster.jobManager())));
        served.addAll(metricNames(cluster.prometheus(taskManager)));
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(served);
        return missing;
    }

    /** The metric names of a Prometheus text exposition. */
    private static Set<String> metricNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /**
     * Every log line (file:line: text) of the cluster's processes and CLI runs with the password.
     */
    private List<String> passwordHits(String password) throws IOException {
        List<Path> files = cluster.logFiles();
        assertThat(files)
                .as("log files of the cluster")
                .anyMatch(f -> f.getFileName().toString().startsWith("jobmanager"))
                .anyMatch(f -> f.getFileName().toString().startsWith("taskmanager"))
                .anyMatch(f -> f.getFileName().toString().startsWith("client-"));
        List<String> hits = new ArrayList<>();
        for (Path file : files) {
            List<String> lines =
                    new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                int at = lines.get(i).indexOf(password);
                if (at >= 0) {
                    // the line's start (time, level, logger) and the text around the password
                    String line = lines.get(i);
                    String around =
                            line.substring(Math.max(0, at - 80), at)
                                    + "<password>"
                                    + line.substring(
                                                    at + password.length(),
                                                    Math.min(
                                                            line.length(),
                                                            at + password.length() + 40))
                                            .replace(password, "<password>");
                    hits.add(
                            file.getFileName()
                                    + ":"
                                    + (i + 1)
                                    + ": "
                                    + line.substring(0, Math.min(line.length(), 120))
                                    + " … "
                                    + around);
                }
            }
        }
        return hits;
    }

    private static void phase(String what, long startedNanos) {
        System.out.printf(
                "RealClusterITCase: %s after %.1f s%n",
                what, (System.nanoTime() - startedNanos) / 1e9);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
