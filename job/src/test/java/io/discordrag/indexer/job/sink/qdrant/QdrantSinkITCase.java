package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.testing.qdrant.FaultInjector;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;
import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.grpc.Status;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static io.qdrant.client.PointIdFactory.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Qdrant sink in a MiniCluster: order per point id, retries, permanent errors, retry budget.
 */
class QdrantSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private static final int DIM = 4;

    private String collection;

    @BeforeEach
    void createCollection() {
        collection = QdrantTarget.uniqueCollectionName("sink");
        CollectionBootstrap.ensure(
                QDRANT.client(),
                QdrantCollectionOptions.builder().collection(collection).build(),
                DIM);
        QDRANT.standIn().ifPresent(s -> s.faults().reset());
    }

    @AfterEach
    void dropCollection() throws Exception {
        QDRANT.standIn().ifPresent(s -> s.faults().reset());
        try {
            QDRANT.client().deleteCollectionAsync(collection).get();
        } catch (ExecutionException ignored) {
            // already gone
        }
    }

    static SessionPayload payload(long guild, String content) {
        return new SessionPayload(
                guild,
                100,
                new long[] {1, 2},
                new long[] {7},
                Instant.parse("2024-05-01T10:00:00Z"),
                Instant.parse("2024-05-01T10:05:00Z"),
                content,
                "test-model",
                0);
    }

    static PointOperation upsert(UUID id, String content, float... vector) {
        return PointOperation.upsert(id, vector, payload(10, content));
    }

    private void run(List<PointOperation> ops, QdrantSinkOptions options) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.setRestartStrategy(RestartStrategies.noRestart());
        QdrantConnectionOptions connection =
                QdrantConnectionOptions.builder()
                        .host(QDRANT.target().host())
                        .port(QDRANT.target().port())
                        .tls(QDRANT.target().tls())
                        .timeout(Duration.ofSeconds(10))
                        .build();
        env.fromSequence(0, ops.size() - 1)
                .sinkTo(
                        QdrantSink.<Long>builder()
                                .setConnection(connection)
                                .setCollection(
                                        QdrantCollectionOptions.builder()
                                                .collection(collection)
                                                .build())
                                .setOptions(options)
                                .setEmitter(byIndex(ops))
                                .build())
                .uid("qdrant-sink")
                .name("qdrant-sink");
        env.execute("qdrant-sink-test");
    }

    /** Emits the i-th of {@code ops} for the record i, so a test streams plain longs. */
    static OperationEmitter<Long> byIndex(List<PointOperation> ops) {
        List<PointOperation> copy = new ArrayList<>(ops);
        return (i, out) -> out.accept(copy.get(i.intValue()));
    }

    private List<RetrievedPoint> get(UUID... ids) throws Exception {
        List<io.qdrant.client.grpc.Common.PointId> pointIds = new ArrayList<>();
        for (UUID u : ids) {
            pointIds.add(id(u));
        }
        return QDRANT.client().retrieveAsync(collection, pointIds, true, false, null).get();
    }

    @Test
    void appliesOperationsOnOneIdInEmittedOrderWithinAndAcrossBatches() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        List<PointOperation> ops =
                List.of(
                        upsert(a, "a1", 1, 0, 0, 0),
                        PointOperation.delete(a),
                        upsert(a, "a3", 0, 1, 0, 0),
                        upsert(b, "b1", 1, 0, 0, 0),
                        PointOperation.delete(b),
                        PointOperation.delete(c),
                        upsert(c, "c2", 0, 0, 1, 0));
        for (int batch : new int[] {1, 2, 256}) {
            run(ops, QdrantSinkOptions.builder().maxBatchPoints(batch).build());
            List<RetrievedPoint> points = get(a, b, c);
            assertThat(points)
                    .as("batch size %d", batch)
                    .extracting(p -> p.getPayloadMap().get("content").getStringValue())
                    .containsExactly("a3", "c2");
            QDRANT.client().deleteAsync(collection, List.of(id(a), id(c))).get();
        }
    }

    @Test
    void writesThePayloadSchema() throws Exception {
        UUID a = UUID.randomUUID();
        run(List.of(upsert(a, "hello", 1, 0, 0, 0)), QdrantSinkOptions.builder().build());
        RetrievedPoint p = get(a).get(0);
        assertThat(p.getPayloadMap().get("guild_id").getIntegerValue()).isEqualTo(10);
        assertThat(p.getPayloadMap().get("message_ids").getListValue().getValuesList())
                .extracting(v -> v.getIntegerValue())
                .containsExactly(1L, 2L);
        assertThat(p.getPayloadMap().get("message_count").getIntegerValue()).isEqualTo(2);
        assertThat(p.getPayloadMap().get("start_time").getStringValue())
                .isEqualTo("2024-05-01T10:00:00Z");
        assertThat(p.getPayloadMap().get("model").getStringValue()).isEqualTo("test-model");
    }

    @Test
    void retriesTransientFailuresAndLosesNothing() throws Exception {
        QdrantStandIn standIn = standIn();
        standIn.faults().failNext(FaultInjector.UPSERT, 3, Status.Code.UNAVAILABLE);
        List<PointOperation> ops = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ops.add(upsert(UUID.randomUUID(), "p" + i, 1, i, 0, 0));
        }
        run(
                ops,
                QdrantSinkOptions.builder()
                        .maxBatchPoints(5)
                        .initialBackoff(Duration.ofMillis(10))
                        .build());
        assertThat(QDRANT.client().countAsync(collection).get()).isEqualTo(20);
        assertThat(standIn.faults().callCount(FaultInjector.UPSERT)).isEqualTo(4 + 3);
    }

    @Test
    void aWrongDimensionFailsTheJobWithQdrantsMessage() {
        UUID a = UUID.randomUUID();
        Throwable thrown =
                catchThrowable(
                        () ->
                                run(
                                        List.of(upsert(a, "x", 1, 0, 0)),
                                        QdrantSinkOptions.builder().build()));
        assertThat(thrown).isNotNull();
        String message = ExceptionUtils.stringifyException(thrown);
        assertThat(message)
                .contains("failed permanently")
                .contains(collection)
                .contains(a.toString())
                .contains("Vector dimension error: expected dim: 4, got 3");
    }

    @Test
    void anExhaustedRetryBudgetFailsTheTask() {
        QdrantStandIn standIn = standIn();
        standIn.faults().failNext(FaultInjector.UPSERT, 100, Status.Code.UNAVAILABLE);
        Throwable thrown =
                catchThrowable(
                        () ->
                                run(
                                        List.of(upsert(UUID.randomUUID(), "x", 1, 0, 0, 0)),
                                        QdrantSinkOptions.builder()
                                                .maxAttempts(3)
                                                .initialBackoff(Duration.ofMillis(5))
                                                .build()));
        assertThat(ExceptionUtils.stringifyException(thrown))
                .contains("still failing after 3 attempts");
        assertThat(standIn.faults().callCount(FaultInjector.UPSERT)).isEqualTo(3);
    }

    private static QdrantStandIn standIn() {
        assumeTrue(QDRANT.standIn().isPresent(), "fault injection needs the Qdrant stand-in");
        return QDRANT.standIn().get();
    }
}
