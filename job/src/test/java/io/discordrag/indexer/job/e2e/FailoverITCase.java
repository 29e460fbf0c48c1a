package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.e2e.IndexerFixture.Point;
import io.discordrag.indexer.testing.net.TcpProxy;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index stays exactly right through failures (issue 6): TaskManagers killed at random points
 * (S8), Qdrant unreachable for 30 s, PostgreSQL restarted — each time the job recovers from its
 * checkpoint and {@code verify} is clean. The cluster restarts a failed job after 300 ms (fixed
 * delay); production keeps Flink's default (exponential delay) or the cluster's setting.
 */
class FailoverITCase {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final long SEED = Long.getLong("failover.seed", 20261124L);
    private static final int KILLS = 10;

    private static MiniCluster cluster;

    /** MiniCluster never reuses a TaskManager index: the live one is the last started. */
    private static int liveTaskManager;

    private static String restUrl;

    private IndexerFixture fx;

    @BeforeAll
    static void startCluster() throws Exception {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1_000);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
        c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        c.set(RestOptions.BIND_PORT, "0");
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(c)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        liveTaskManager = 0;
        restUrl = cluster.getRestAddress().get().toString();
        TestStreamEnvironment.setAsContext(cluster, 2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private IndexerFixture newFixture(TestInfo test) throws Exception {
        if (fx != null) {
            fx.close();
        }
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        ChatWorkload.insertDirectory(fx);
        return fx;
    }

    private static void applyPaced(List<List<ChatWorkload.Step>> batches, Duration pause)
            throws Exception {
        for (List<ChatWorkload.Step> batch : batches) {
            try (Connection c = POSTGRES.adminConnection()) {
                ChatWorkload.apply(c, batch);
            }
            Thread.sleep(pause.toMillis());
        }
    }

    private void awaitFirstPoints() throws InterruptedException {
        IndexerFixture.await(
                "first points",
                IndexerFixture.CONVERGENCE_TIMEOUT,
                () -> {
                    try {
                        return !fx.points().isEmpty();
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "no points");
    }

    /** The failure-free reference: the same workload, no failures, verified clean. */
    private Map<String, Point> referenceRun(ChatWorkload workload, TestInfo test) throws Exception {
        newFixture(test).start();
        applyPaced(workload.batches, Duration.ofMillis(50));
        fx.awaitVerifiedClean();
        Map<String, Point> points = fx.points();
        assertThat(points).as("the workload indexes sessions").hasSizeGreaterThan(10);
        return points;
    }

    @Test
    void s8KilledTaskManagersRecoverFromCheckpointsToTheFailureFreeIndex(TestInfo test)
            throws Exception {
        ChatWorkload workload = new ChatWorkload(SEED, 5);
        Map<String, Point> reference = referenceRun(workload, test);

        newFixture(test).start();
        AtomicBoolean workloadDone = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        AtomicReference<Throwable> killerFailure = new AtomicReference<>();
        Random random = new Random(SEED);
        Thread killer =
                new Thread(
                        () -> {
                            try {
                                while (kills.get() < KILLS || !workloadDone.get()) {
                                    Thread.sleep(
                                            1_000
                                                    + random.nextInt(
                                                            2_000)); // a random point in the stream
                                    IndexerFixture.await(
                                            "all tasks running before a kill",
                                            Duration.ofMinutes(2),
                                            () -> fx.allTasksRunning(restUrl),
                                            () -> "not running");
                                    int restarts = fx.restarts(restUrl);
                                    cluster.terminateTaskManager(liveTaskManager).get();
                                    cluster.startTaskManager();
                                    liveTaskManager++;
                                    kills.incrementAndGet();
                                    IndexerFixture.await(
                                            "restart after kill " + kills.get(),
                                            Duration.ofMinutes(1),
                                            () -> {
                                                try {
                                                    return fx.restarts(restUrl) > restarts;
                                                } catch (Exception e) {
                                                    return false;
                                                }
                                            },
                                            () -> "no restart");
                                }
                            } catch (Throwable t) {
                                killerFailure.set(t);
                            }
                        },
                        "taskmanager-killer");
        killer.start();
        applyPaced(workload.batches, Duration.ofMillis(800));
        workloadDone.set(true);
        killer.join(Duration.ofMinutes(5).toMillis());
        assertThat(killerFailure.get()).as("the killer thread").isNull();
        assertThat(kills.get()).isGreaterThanOrEqualTo(KILLS);

        IndexerFixture.VerifyRun verified = fx.awaitVerifiedClean();
        assertThat(verified.out()).startsWith("verify: clean");
        assertThat(fx.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(fx.restarts(restUrl))
                .as("every kill failed the job")
                .isGreaterThanOrEqualTo(KILLS);
        JsonNode checkpoints = fx.checkpointStats(restUrl);
        assertThat(checkpoints.get("counts").get("restored").asInt())
                .as("restores from a checkpoint")
                .isGreaterThan(0);

        Map<String, Point> recovered = fx.points();
        assertThat(recovered.keySet())
                .as("same point ids as the failure-free run")
                .isEqualTo(reference.keySet());
        for (Map.Entry<String, Point> e : reference.entrySet()) {
            Point got = recovered.get(e.getKey());
            assertThat(got.messageIds())
                    .as("message ids of %s", e.getKey())
                    .isEqualTo(e.getValue().messageIds());
            assertThat(got.content())
                    .as("content of %s", e.getKey())
                    .isEqualTo(e.getValue().content());
            assertThat(got.guild()).isEqualTo(e.getValue().guild());
            for (int i = 0; i < got.vector().length; i++) {
                assertThat(got.vector()[i])
                        .isCloseTo(
                                e.getValue().vector()[i],
                                org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /**
     * The failure that holding writes until their checkpoint completes prevents: two sessions are
     * indexed, the job dies before the next checkpoint, and while it is down a message arrives that
     * bridges them. The replay groups all of it into one session at once and never emits the second
     * session's point; had that point reached Qdrant before the crash, nothing would ever delete
     * it.
     */
    @Test
    void aPointFromBeforeACrashDoesNotOutliveAReplayThatGroupsDifferently(TestInfo test)
            throws Exception {
        newFixture(test);
        Map<String, String> options = fx.options();
        options.put("checkpoint.interval", "6 s");
        options.put("session.idle-timeout", "1 s");
        fx.start(options);
        java.time.Instant t0 = java.time.Instant.parse("2024-06-01T12:00:00Z");
        int completed = fx.checkpointStats(restUrl).get("counts").get("completed").asInt();
        IndexerFixture.await(
                "a checkpoint completes",
                Duration.ofMinutes(1),
                () -> {
                    try {
                        return fx.checkpointStats(restUrl).get("counts").get("completed").asInt()
                                > completed;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "none");
        // right after a checkpoint: two sessions 30 minutes apart, indexed within about a second
        fx.messages(
                List.of(
                        new IndexerFixture.Msg(1, 1, 11, 1, "who broke the build", t0),
                        new IndexerFixture.Msg(2, 1, 11, 2, "me, fixing it", t0.plusSeconds(60)),
                        new IndexerFixture.Msg(
                                3, 1, 11, 1, "then lunch after that", t0.plusSeconds(1800)),
                        new IndexerFixture.Msg(4, 1, 11, 2, "yes", t0.plusSeconds(1860))));
        Thread.sleep(3_000);
        cluster.terminateTaskManager(liveTaskManager).get(); // before the next checkpoint (6 s)
        fx.message(
                5,
                1,
                11,
                3,
                "(late) it was the flaky test again",
                t0.plusSeconds(900)); // bridges both
        cluster.startTaskManager();
        liveTaskManager++;

        assertThat(fx.awaitVerifiedClean().out()).startsWith("verify: clean");
        assertThat(fx.points().keySet())
                .as("one merged session; no point of the second session left behind")
                .containsExactly(
                        io.discordrag.indexer.job.session.PointIds.forChunk(1, 11, 1).toString());
    }

    @Test
    void aThirtySecondQdrantOutageMidWorkloadIsRecoveredFrom(TestInfo test) throws Exception {
        ChatWorkload workload = new ChatWorkload(SEED + 1, 5);
        newFixture(test);
        try (TcpProxy proxy = TcpProxy.start(QDRANT.target().host(), QDRANT.target().port())) {
            Map<String, String> options = fx.options();
            options.put("qdrant.host", proxy.host());
            options.put("qdrant.port", Integer.toString(proxy.port()));
            options.put("qdrant.retry.max-attempts", "3");
            fx.start(options);
            int third = workload.batches.size() / 3;
            applyPaced(workload.batches.subList(0, third), Duration.ofMillis(200));
            awaitFirstPoints();
            int restartsBefore = fx.restarts(restUrl);

            proxy.cut();
            long cutAt = System.nanoTime();
            applyPaced(workload.batches.subList(third, 2 * third), Duration.ofMillis(500));
            Thread.sleep(
                    Math.max(
                            0,
                            Duration.ofSeconds(30).toMillis()
                                    - (System.nanoTime() - cutAt) / 1_000_000));
            proxy.restore();

            applyPaced(
                    workload.batches.subList(2 * third, workload.batches.size()),
                    Duration.ofMillis(200));
            assertThat(fx.awaitVerifiedClean().out()).startsWith("verify: clean");
            assertThat(fx.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(fx.restarts(restUrl))
                    .as("the outage failed the job, which recovered")
                    .isGreaterThan(restartsBefore);
        }
    }

    @Test
    void aPostgresRestartMidStreamIsRecoveredFromThroughTheSlot(TestInfo test) throws Exception {
        ChatWorkload workload = new ChatWorkload(SEED + 2, 5);
        newFixture(test).start();
        int half = workload.batches.size() / 2;
        applyPaced(workload.batches.subList(0, half), Duration.ofMillis(100));
        awaitFirstPoints();

        POSTGRES.restart(Duration.ofSeconds(3));
        applyPaced(workload.batches.subList(half, workload.batches.size()), Duration.ofMillis(100));
        assertThat(fx.awaitVerifiedClean().out()).startsWith("verify: clean");
        assertThat(fx.status()).isEqualTo(JobStatus.RUNNING);
    }
}
