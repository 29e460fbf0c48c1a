package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.assertStatus;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.await;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.point;
import static org.assertj.core.api.Assertions.assertThat;

/** The stand-in's own fault injection: failures, latency, call counts, stop and restart. */
class QdrantStandInFaultInjectionTest {

    private static final float[] X = {1, 0, 0, 0};

    private QdrantStandIn standIn;
    private QdrantClient client;

    @BeforeEach
    void start() throws Exception {
        standIn = QdrantStandIn.startNew();
        client =
                new QdrantClient(
                        QdrantGrpcClient.newBuilder(standIn.host(), standIn.port(), false).build());
        await(
                client.createCollectionAsync(
                        "faults",
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()));
        standIn.faults().reset();
    }

    @AfterEach
    void stop() {
        client.close();
        standIn.close();
    }

    @Test
    void failsTheNextNCallsOfOneRpcThenSucceeds() throws Exception {
        standIn.faults().failNext(FaultInjector.UPSERT, 2, Status.Code.UNAVAILABLE);

        assertStatus(
                client.upsertAsync("faults", List.of(point(1, X, Map.of()))),
                Status.Code.UNAVAILABLE,
                "Injected");
        assertThat(await(client.countAsync("faults"))).as("other RPCs are not failed").isZero();
        assertStatus(
                client.upsertAsync("faults", List.of(point(1, X, Map.of()))),
                Status.Code.UNAVAILABLE,
                "Injected");
        await(client.upsertAsync("faults", List.of(point(1, X, Map.of()))));

        assertThat(await(client.countAsync("faults"))).isEqualTo(1);
        assertThat(standIn.faults().callCount(FaultInjector.UPSERT)).isEqualTo(3);
        assertThat(standIn.faults().pendingFailures(FaultInjector.UPSERT)).isZero();
    }

    @Test
    void failedCallsHaveNoEffect() throws Exception {
        standIn.faults().failNext(FaultInjector.UPSERT, 1, Status.Code.RESOURCE_EXHAUSTED);
        assertStatus(
                client.upsertAsync("faults", List.of(point(1, X, Map.of()))),
                Status.Code.RESOURCE_EXHAUSTED,
                null);
        assertThat(await(client.countAsync("faults"))).isZero();
    }

    @Test
    void failNextForAnyRpcSparesTheHealthCheck() throws Exception {
        standIn.faults().failNext(1, Status.Code.DEADLINE_EXCEEDED);
        assertThat(await(client.healthCheckAsync()).getVersion()).isNotEmpty();
        assertStatus(client.listCollectionsAsync(), Status.Code.DEADLINE_EXCEEDED, null);
        assertThat(await(client.listCollectionsAsync())).containsExactly("faults");
    }

    @Test
    void latencyIsAddedToEveryCall() {
        standIn.faults().setLatency(Duration.ofMillis(500));
        // A 100 ms client deadline cannot be met once half a second is added to the call.
        assertStatus(
                client.countAsync("faults", Duration.ofMillis(100)),
                Status.Code.DEADLINE_EXCEEDED,
                null);
    }

    @Test
    void countsCallsByRpc() throws Exception {
        await(client.upsertAsync("faults", List.of(point(1, X, Map.of()))));
        await(client.upsertAsync("faults", List.of(point(2, X, Map.of()))));
        await(client.deleteAsync("faults", List.of(io.qdrant.client.PointIdFactory.id(1))));
        assertThat(standIn.faults().callCount(FaultInjector.UPSERT)).isEqualTo(2);
        assertThat(standIn.faults().callCount(FaultInjector.DELETE)).isEqualTo(1);
        assertThat(standIn.faults().callCount(FaultInjector.QUERY)).isZero();
    }

    @Test
    void stopMakesTheServerUnavailableAndRestartKeepsPortAndData() throws Exception {
        await(client.upsertAsync("faults", List.of(point(1, X, Map.of()))));
        int port = standIn.port();

        standIn.stop();
        assertThat(standIn.isRunning()).isFalse();
        assertStatus(client.countAsync("faults"), Status.Code.UNAVAILABLE, null);

        standIn.start();
        assertThat(standIn.port()).isEqualTo(port);
        try (QdrantClient fresh =
                new QdrantClient(
                        QdrantGrpcClient.newBuilder(standIn.host(), port, false).build())) {
            assertThat(await(fresh.countAsync("faults"))).isEqualTo(1);
        }
        // The old client's channel is in reconnect backoff, as after a real restart; it recovers by
        // itself.
        assertThat(countOnceReconnected()).isEqualTo(1);
    }

    private long countOnceReconnected() throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return await(client.countAsync("faults"));
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt >= 100) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
