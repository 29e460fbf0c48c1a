package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.testing.qdrant.FaultInjector;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.grpc.Status;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.qdrant.client.PointIdFactory.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Qdrant sink under failures, with checkpoints and restarts on: a Qdrant outage mid-stream and
 * an exhausted retry budget both end with every point written exactly once (deterministic ids), and
 * an upsert retried after a transient failure stays ordered before a later delete of the same
 * point.
 */
class QdrantSinkFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final int RECORDS = 300;

    private String collection;
    private QdrantStandIn standIn;

    @BeforeEach
    void setUp() {
        assumeTrue(
                QDRANT.standIn().isPresent(),
                "outages and injected faults need the Qdrant stand-in");
        standIn = QDRANT.standIn().get();
        standIn.faults().reset();
        collection = QdrantTarget.uniqueCollectionName("fail");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                4);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (standIn != null) {
            standIn.faults().reset();
            standIn.start();
            try {
                QDRANT.client().deleteCollectionAsync(collection).get();
            } catch (ExecutionException ignored) {
                // gone
            }
        }
    }

    static UUID pointId(long i) {
        return UUID.nameUUIDFromBytes(("point-" + i).getBytes(StandardCharsets.UTF_8));
    }

    private JobClient start(QdrantSinkOptions options, long delayMillisPerRecord) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(10, 300));
        env.fromSequence(0, RECORDS - 1)
                .map(
                        i -> {
                            if (delayMillisPerRecord > 0) {
                                Thread.sleep(delayMillisPerRecord);
                            }
                            return i;
                        })
                .sinkTo(
                        QdrantSink.<Long>builder()
                                .setConnection(
                                        QdrantConnectionOptions.builder()
                                                .host(QDRANT.target().host())
                                                .port(QDRANT.target().port())
                                                .timeout(Duration.ofSeconds(5))
                                                .build())
                                .setCollection(
                                        QdrantCollectionOptions.builder()
                                                .collection(collection)
                                                .build())
                                .setOptions(options)
                                .setEmitter(
                                        (i, out) ->
                                                out.accept(
                                                        PointOperation.upsert(
                                                                pointId(i),
                                                                new float[] {1, i, 0, 0},
                                                                new SessionPayload(
                                                                        1,
                                                                        2,
                                                                        new long[] {i},
                                                                        new long[] {7},
                                                                        Instant.EPOCH,
                                                                        Instant.EPOCH,
                                                                        "record " + i,
                                                                        "m",
                                                                        0))))
                                .build())
                .uid("qdrant-sink");
        return env.executeAsync("qdrant-sink-failure");
    }

    private void assertAllWrittenOnce(JobClient job) throws Exception {
        assertThat(job.getJobExecutionResult().get(120, TimeUnit.SECONDS)).isNotNull();
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
        assertThat(QDRANT.client().countAsync(collection).get()).isEqualTo(RECORDS);
        for (long i = 0; i < RECORDS; i += 37) {
            assertThat(QDRANT.client().retrieveAsync(collection, id(pointId(i)), null).get())
                    .hasSize(1);
        }
    }

    @Test
    void survivesAQdrantOutageMidStream() throws Exception {
        JobClient job =
                start(
                        QdrantSinkOptions.builder()
                                .maxBatchPoints(20)
                                .initialBackoff(Duration.ofMillis(50))
                                .maxBackoff(Duration.ofMillis(500))
                                .maxAttempts(6)
                                .build(),
                        10);
        while (standIn.faults().callCount(FaultInjector.UPSERT) < 3) {
            Thread.sleep(20);
        }
        standIn.stop();
        Thread.sleep(2_000);
        standIn.start();
        assertAllWrittenOnce(job);
    }

    @Test
    void anExhaustedRetryBudgetRestartsFromTheCheckpointWithNothingLost() throws Exception {
        standIn.faults().failNext(FaultInjector.UPSERT, 5, Status.Code.UNAVAILABLE);
        JobClient job =
                start(
                        QdrantSinkOptions.builder()
                                .maxBatchPoints(25)
                                .maxAttempts(2)
                                .initialBackoff(Duration.ofMillis(10))
                                .build(),
                        2);
        assertAllWrittenOnce(job);
        assertThat(standIn.faults().pendingFailures(FaultInjector.UPSERT)).isZero();
    }

    @Test
    void aRetriedUpsertStaysBeforeALaterDeleteOfTheSamePoint() throws Exception {
        UUID a = UUID.randomUUID();
        standIn.faults().failNext(FaultInjector.UPSERT, 2, Status.Code.DEADLINE_EXCEEDED);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        PointOperation upsert =
                PointOperation.upsert(
                        a,
                        new float[] {1, 0, 0, 0},
                        new SessionPayload(
                                1,
                                2,
                                new long[] {1},
                                new long[] {7},
                                Instant.EPOCH,
                                Instant.EPOCH,
                                "x",
                                "m",
                                0));
        env.fromSequence(0, 1)
                .sinkTo(
                        QdrantSink.<Long>builder()
                                .setConnection(
                                        QdrantConnectionOptions.builder()
                                                .host(QDRANT.target().host())
                                                .port(QDRANT.target().port())
                                                .build())
                                .setCollection(
                                        QdrantCollectionOptions.builder()
                                                .collection(collection)
                                                .build())
                                .setOptions(
                                        QdrantSinkOptions.builder()
                                                .maxBatchPoints(1)
                                                .initialBackoff(Duration.ofMillis(10))
                                                .build())
                                .setEmitter(
                                        QdrantSinkITCase.byIndex(
                                                List.of(upsert, PointOperation.delete(a))))
                                .build());
        env.execute("retry-order");
        assertThat(standIn.faults().callCount(FaultInjector.UPSERT)).isEqualTo(3);
        assertThat(standIn.faults().callCount(FaultInjector.DELETE)).isEqualTo(1);
        assertThat(
                        QDRANT.client()
                                .retrieveAsync(collection, List.of(id(a)), false, false, null)
                                .get())
                .isEmpty();
    }
}
