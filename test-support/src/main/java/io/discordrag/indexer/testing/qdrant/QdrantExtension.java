package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.QdrantClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Optional;

/**
 * JUnit 5 extension giving a test class "a Qdrant" (see {@link QdrantTarget}) and a shared client.
 * Register as a static field: {@code @RegisterExtension static final QdrantExtension QDRANT = new
 * QdrantExtension();}.
 */
public final class QdrantExtension implements BeforeAllCallback, AfterAllCallback {

    private QdrantTarget target;
    private QdrantClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        target = QdrantTarget.create();
        client = target.newClient();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
        }
        if (target != null) {
            target.close();
        }
    }

    public QdrantTarget target() {
        return running();
    }

    /** A client shared by the class's tests; do not close it. */
    public QdrantClient client() {
        running();
        return client;
    }

    public Optional<QdrantStandIn> standIn() {
        return running().standIn();
    }

    private QdrantTarget running() {
        if (target == null) {
            throw new IllegalStateException(
                    "No Qdrant: register QdrantExtension as a static @RegisterExtension field");
        }
        return target;
    }
}
