package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.qdrant.QdrantContainer;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * "A Qdrant" for tests, chosen once: the server at {@code QDRANT_URL} if that is set (gRPC address,
 * e.g. {@code http://localhost:6334}; {@code https} turns TLS on; {@code QDRANT_API_KEY} is sent
 * when set); else a Testcontainers Qdrant if Docker is available (unless {@code
 * QDRANT_TESTCONTAINERS=false}); else the in-process {@link QdrantStandIn}. Every Qdrant test gets
 * its Qdrant here, so the same test runs unchanged against the stand-in and a real server.
 */
public final class QdrantTarget implements AutoCloseable {

    /** Where the Qdrant of a test run comes from. */
    public enum Kind {
        EXTERNAL,
        TESTCONTAINERS,
        STAND_IN
    }

    public static final String QDRANT_URL_ENV = "QDRANT_URL";
    public static final String QDRANT_API_KEY_ENV = "QDRANT_API_KEY";
    public static final String TESTCONTAINERS_ENV = "QDRANT_TESTCONTAINERS";
    public static final String QDRANT_IMAGE = "qdrant/qdrant:v1.18.0";
    private static final int DEFAULT_GRPC_PORT = 6334;

    private static final Logger LOG = LoggerFactory.getLogger(QdrantTarget.class);

    private final Kind kind;
    private final String host;
    private final int port;
    private final boolean tls;
    private final String apiKey;
    private final QdrantStandIn standIn;
    private final QdrantContainer container;

    private QdrantTarget(
            Kind kind,
            String host,
            int port,
            boolean tls,
            String apiKey,
            QdrantStandIn standIn,
            QdrantContainer container) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.apiKey = apiKey;
        this.standIn = standIn;
        this.container = container;
    }

    /** Picks and, where needed, starts the Qdrant for this run, as the class Javadoc describes. */
    public static QdrantTarget create() {
        String url = System.getenv(QDRANT_URL_ENV);
        String apiKey = emptyToNull(System.getenv(QDRANT_API_KEY_ENV));
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url.contains("://") ? url : "http://" + url);
            int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_GRPC_PORT;
            LOG.info("Tests use the Qdrant at {}:{} ({})", uri.getHost(), port, QDRANT_URL_ENV);
            return new QdrantTarget(
                    Kind.EXTERNAL,
                    uri.getHost(),
                    port,
                    "https".equals(uri.getScheme()),
                    apiKey,
                    null,
                    null);
        }
        if (!"false".equalsIgnoreCase(System.getenv(TESTCONTAINERS_ENV)) && dockerAvailable()) {
            QdrantContainer container = new QdrantContainer(QDRANT_IMAGE);
            container.start();
            LOG.info("Tests use a Testcontainers Qdrant ({})", QDRANT_IMAGE);
            return new QdrantTarget(
                    Kind.TESTCONTAINERS,
                    container.getHost(),
                    container.getMappedPort(DEFAULT_GRPC_PORT),
                    false,
                    null,
                    null,
                    container);
        }
        QdrantStandIn standIn = QdrantStandIn.startNew();
        LOG.info("Tests use the in-process Qdrant stand-in on port {}", standIn.port());
        return new QdrantTarget(
                Kind.STAND_IN, standIn.host(), standIn.port(), false, null, standIn, null);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    public Optional<String> apiKey() {
        return Optional.ofNullable(apiKey);
    }

    /** The stand-in, for fault injection; empty when the tests run against a real Qdrant. */
    public Optional<QdrantStandIn> standIn() {
        return Optional.ofNullable(standIn);
    }

    /** A new client for this Qdrant; the caller closes it. */
    public QdrantClient newClient() {
        QdrantGrpcClient.Builder builder =
                QdrantGrpcClient.newBuilder(host, port, tls).withTimeout(Duration.ofSeconds(30));
        if (apiKey != null) {
            builder.withApiKey(apiKey);
        }
        return new QdrantClient(builder.build());
    }

    /** A collection name no other test uses, so tests can share a real server. */
    public static String uniqueCollectionName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public void close() {
        if (standIn != null) {
            standIn.close();
        }
        if (container != null) {
            container.stop();
        }
    }
}
