package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.testing.net.TcpProxy;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.qdrant.client.PointIdFactory.id;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Qdrant sink never blocks the task thread: with Qdrant unreachable (a cut {@link TcpProxy})
 * and writes pending, a checkpoint and a savepoint complete within a second and a cancel returns
 * within a second; a job restored from that savepoint writes every pending operation, in order,
 * once Qdrant is back; and the first checkpoint after such a restore completes only once the
 * restored operations are written (after a rescale, newer operations for the same points may be
 * released on other subtasks once it completes).
 */
class QdrantSinkOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    /**
     * Records for the running job's source: {@code 100 * point + version}, version 99 deletes the
     * point.
     */
    private static final BlockingQueue<Long> INPUT = new LinkedBlockingQueue<>();

    /** Records handed to the sink (source and sink are chained: collect returns after write). */
    private static final AtomicLong HANDED_TO_SINK = new AtomicLong();

    private static final long DELETE = 99;

    private String collection;

    /**
     * Jobs this test started: cancelled after it, so a failed test leaves no job reading {@link
     * #INPUT}.
     */
    private final List<JobClient> jobs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        INPUT.clear();
        HANDED_TO_SINK.set(0);
        collection = QdrantTarget.uniqueCollectionName("outage");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                4);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (JobClient job : jobs) {
            job.cancel().handle((ack, error) -> null).get(30, TimeUnit.SECONDS);
        }
        try {
            QDRANT.client().deleteCollectionAsync(collection).get();
        } catch (ExecutionException ignored) {
            // gone
        }
    }

    /** Emits what the test puts into {@link #INPUT} until cancelled. */
    private static final class QueueSource implements SourceFunction<Long> {
        private volatile boolean running = true;

        @Override
        public void run(SourceContext<Long> ctx) throws Exception {
            while (running) {
                Long next = INPUT.poll(10, TimeUnit.MILLISECONDS);
                if (next != null) {
                    synchronized (ctx.getCheckpointLock()) {
                        ctx.collect(next);
                        HANDED_TO_SINK.incrementAndGet();
                    }
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }

    static UUID pointId(long point) {
        return UUID.nameUUIDFromBytes(("outage-" + point).getBytes(StandardCharsets.UTF_8));
    }

    private static PointOperation operation(long record) {
        long point = record / 100;
        long version = record % 100;
        if (version == DELETE) {
            return PointOperation.delete(pointId(point));
        }
        return PointOperation.upsert(
                pointId(point),
                new float[] {1, point, version, 0},
                new SessionPayload(
                        1,
                        2,
                        new long[] {point},
                        new long[] {7},
                        Instant.EPOCH,
                        Instant.EPOCH,
                        "p" + point + "v" + version,
                        "m",
                        0));
    }

    private JobClient start(TcpProxy proxy, String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(
                Duration.ofHours(1).toMillis()); // checkpoints are triggered by the test
        env.setRestartStrategy(RestartStrategies.noRestart());
        env.addSource(new QueueSource())
                .uid("queue")
                .sinkTo(
                        QdrantSink.<Long>builder()
                                .setConnection(
                                        QdrantConnectionOptions.builder()
                                                .host(proxy.host())
                                                .port(proxy.port())
                                                .timeout(Duration.ofSeconds(5))
                                                .build())
                                .setCollection(
                                        QdrantCollectionOptions.builder()
                                                .collection(collection)
                                                .build())
                                .setOptions(
                                        QdrantSinkOptions.builder()
                                                .maxBatchPoints(4)
                                                .flushInterval(Duration.ofMillis(50))
                                                .maxAttempts(10_000)
                                                .initialBackoff(Duration.ofMillis(20))
                                                .maxBackoff(Duration.ofMillis(200))
                                                .build())
                                .setEmitter((record, out) -> out.accept(operation(record)))
                                .build())
                .uid("qdrant-sink");
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
        }
        JobClient job = env.executeAsync(graph);
        jobs.add(job);
        return job;
    }

    private static void feed(long... records) {
        for (long r : records) {
            INPUT.add(r);
        }
    }

    /** Content of each existing point, by point number. */
    private Map<Long, String> contents(long points) throws Exception {
        List<io.qdrant.client.grpc.Common.PointId> ids = new ArrayList<>();
        for (long p = 0; p < points; p++) {
            ids.add(id(pointId(p)));
        }
        Map<Long, String> out = new TreeMap<>();
        for (RetrievedPoint rp :
                QDRANT.client().retrieveAsync(collection, ids, true, false, null).get()) {
            for (long p = 0; p < points; p++) {
                if (rp.getId().getUuid().equals(pointId(p).toString())) {
                    out.put(p, rp.getPayloadMap().get(PayloadSchema.CONTENT).getStringValue());
                }
            }
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private BooleanSupplier contentsAre(Map<Long, String> expected) {
        return () -> {
            try {
                return contents(10).equals(expected);
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Test
    void
            whileQdrantIsUnreachableCheckpointsCompleteAndCancelReturnsAndARestoreWritesEverythingInOrder(
                    @InjectClusterClient ClusterClient<?> cluster, @TempDir Path savepoints)
                    throws Exception {
        try (TcpProxy proxy = TcpProxy.start(QDRANT.target().host(), QDRANT.target().port())) {
            JobClient job = start(proxy, null);
            feed(1, 101, 201, 301, 401);
            await(
                    "the first points",
                    contentsAre(
                            Map.of(0L, "p0v1", 1L, "p1v1", 2L, "p2v1", 3L, "p3v1", 4L, "p4v1")));

            proxy.cut();
            // newer versions of written points, a delete, new points, and a point changed twice
            feed(2, 102, 202, 300 + DELETE, 501, 601, 701, 3);
            await("the sink to take every record", () -> HANDED_TO_SINK.get() == 13);

            cluster.triggerCheckpoint(job.getJobID(), CheckpointType.DEFAULT)
                    .get(1, TimeUnit.SECONDS);
            String savepoint =
                    job.triggerSavepoint(
                                    savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                            .get(1, TimeUnit.SECONDS);
            job.cancel().get(1, TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((result, error) -> null).get(1, TimeUnit.SECONDS);
            assertThat(contents(10))
                    .as("nothing written during the outage")
                    .containsEntry(0L, "p0v1")
                    .containsEntry(3L, "p3v1");

            proxy.restore();
            JobClient restored = start(proxy, savepoint);
            await(
                    "the restored job to write the operations pending at the savepoint",
                    contentsAre(
                            Map.of(
                                    0L, "p0v3", 1L, "p1v2", 2L, "p2v2", 4L, "p4v1", 5L, "p5v1", 6L,
                                    "p6v1", 7L, "p7v1")));
            restored.cancel().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Takes a savepoint of a job holding operations for points 0..4 that Qdrant has not
     * acknowledged.
     */
    private String savepointWithPendingWrites(TcpProxy proxy, Path savepoints) throws Exception {
        JobClient job = start(proxy, null);
        feed(1, 101);
        await("the first points", contentsAre(Map.of(0L, "p0v1", 1L, "p1v1")));
        proxy.cut();
        feed(2, 102, 201, 301, 401);
        await("the sink to take every record", () -> HANDED_TO_SINK.get() == 7);
        String savepoint =
                job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(10, TimeUnit.SECONDS);
        job.cancel().get(10, TimeUnit.SECONDS);
        job.getJobExecutionResult().handle((result, error) -> null).get(10, TimeUnit.SECONDS);
        return savepoint;
    }

    @Test
    void theFirstCheckpointAfterARestoreCompletesOnlyOnceTheRestoredOperationsAreWritten(
            @InjectClusterClient ClusterClient<?> cluster, @TempDir Path savepoints)
            throws Exception {
        Map<Long, String> pending =
                Map.of(0L, "p0v2", 1L, "p1v2", 2L, "p2v1", 3L, "p3v1", 4L, "p4v1");
        try (TcpProxy proxy = TcpProxy.start(QDRANT.target().host(), QDRANT.target().port())) {
            String savepoint = savepointWithPendingWrites(proxy, savepoints);

            JobClient restored = start(proxy, savepoint); // Qdrant still unreachable
            CompletableFuture<Long> checkpoint;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                checkpoint = cluster.triggerCheckpoint(restored.getJobID(), CheckpointType.DEFAULT);
                try {
                    checkpoint.get(200, TimeUnit.MILLISECONDS);
                    break;
                } catch (java.util.concurrent.TimeoutException e) {
                    break; // triggered, and waiting
                } catch (ExecutionException e) { // refused: not every task runs yet
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
            CompletableFuture<Map<Long, String>> atCompletion =
                    checkpoint.thenApply(
                            checkpointId -> {
                                try {
                                    return contents(10);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            assertThat(checkpoint)
                    .as("a checkpoint while the restored writes cannot reach Qdrant")
                    .isNotDone();
            proxy.restore();
            assertThat(atCompletion.get(60, TimeUnit.SECONDS))
                    .as("Qdrant when the first checkpoint after the restore completed")
                    .isEqualTo(pending);
            restored.cancel().get(10, TimeUnit.SECONDS);
        }
    }
}
