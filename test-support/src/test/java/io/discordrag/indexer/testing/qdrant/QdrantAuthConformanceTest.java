package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.assertStatus;
import static io.discordrag.indexer.testing.qdrant.ConformanceSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pins down Qdrant's API-key check. Runs against a stand-in started with a key, or against the real
 * Qdrant at {@code QDRANT_URL} when {@code QDRANT_API_KEY} is set too (a keyless server cannot show
 * the check; those runs skip with a reason).
 */
class QdrantAuthConformanceTest {

    private static String host;
    private static int port;
    private static boolean tls;
    private static String key;
    private static QdrantStandIn keyed;

    @BeforeAll
    static void start() {
        String url = System.getenv(QdrantTarget.QDRANT_URL_ENV);
        if (url != null && !url.isBlank()) {
            key = System.getenv(QdrantTarget.QDRANT_API_KEY_ENV);
            assumeTrue(
                    key != null && !key.isBlank(),
                    "QDRANT_URL is set without QDRANT_API_KEY: that server does not check keys");
            try (QdrantTarget target = QdrantTarget.create()) {
                host = target.host();
                port = target.port();
                tls = target.tls();
            }
        } else {
            key = "conformance-key";
            keyed = QdrantStandIn.start(key);
            host = keyed.host();
            port = keyed.port();
            tls = false;
        }
    }

    @AfterAll
    static void stop() {
        if (keyed != null) {
            keyed.close();
        }
    }

    private static QdrantClient client(String apiKey) {
        QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(host, port, tls);
        if (apiKey != null) {
            b.withApiKey(apiKey);
        }
        return new QdrantClient(b.build());
    }

    @Test
    void callsWithoutAKeyAreUnauthenticated() {
        try (QdrantClient c = client(null)) {
            assertStatus(
                    c.listCollectionsAsync(),
                    Status.Code.UNAUTHENTICATED,
                    "Must provide an API key or an Authorization bearer token");
        }
    }

    @Test
    void callsWithAWrongKeyAreUnauthenticated() {
        try (QdrantClient c = client("wrong-" + key)) {
            assertStatus(
                    c.listCollectionsAsync(),
                    Status.Code.UNAUTHENTICATED,
                    "Invalid API key or JWT");
        }
    }

    @Test
    void theRightKeyIsAcceptedAndHealthChecksNeedNoKey() throws Exception {
        try (QdrantClient c = client(key)) {
            assertThat(await(c.listCollectionsAsync())).isNotNull();
        }
        try (QdrantClient c = client(null)) {
            assertThat(await(c.healthCheckAsync()).getTitle())
                    .isEqualTo("qdrant - vector search engine");
        }
    }
}
