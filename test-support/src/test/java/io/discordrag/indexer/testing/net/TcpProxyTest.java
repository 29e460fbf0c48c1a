package io.discordrag.indexer.testing.net;

import io.discordrag.indexer.testing.qdrant.QdrantStandIn;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy forwards gRPC, refuses everything while cut, and forwards again on the same port. */
class TcpProxyTest {

    @Test
    void cutRefusesAndRestoreForwardsAgainOnTheSamePort() throws Exception {
        try (QdrantStandIn standIn = QdrantStandIn.startNew();
                TcpProxy proxy = TcpProxy.start(standIn.host(), standIn.port());
                QdrantClient client =
                        new QdrantClient(
                                QdrantGrpcClient.newBuilder(proxy.host(), proxy.port(), false)
                                        .withTimeout(Duration.ofSeconds(5))
                                        .build())) {
            int port = proxy.port();
            assertThat(client.listCollectionsAsync().get(10, TimeUnit.SECONDS)).isEmpty();

            proxy.cut();
            assertThat(proxy.isUp()).isFalse();
            assertThatThrownBy(() -> client.listCollectionsAsync().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(io.grpc.StatusRuntimeException.class);
            assertThat(standIn.isRunning()).as("the server itself is untouched").isTrue();

            proxy.restore();
            assertThat(proxy.port()).isEqualTo(port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) { // gRPC reconnects with backoff
                try {
                    assertThat(client.listCollectionsAsync().get(10, TimeUnit.SECONDS)).isEmpty();
                    break;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }
}
