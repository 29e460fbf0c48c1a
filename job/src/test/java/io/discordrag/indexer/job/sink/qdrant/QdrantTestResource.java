package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.QdrantClient;
import org.apache.flink.connector.testframe.TestResource;

/**
 * "A Qdrant" (see {@link QdrantTarget}) as an external system of Flink's connector testing
 * framework.
 */
final class QdrantTestResource implements TestResource {

    private QdrantTarget target;
    private QdrantClient client;

    @Override
    public void startUp() {
        target = QdrantTarget.create();
        client = target.newClient();
    }

    @Override
    public void tearDown() {
        if (client != null) {
            client.close();
        }
        if (target != null) {
            target.close();
        }
    }

    QdrantTarget target() {
        return target;
    }

    QdrantClient client() {
        return client;
    }

    QdrantConnectionOptions connection() {
        return QdrantConnectionOptions.builder()
                .host(target.host())
                .port(target.port())
                .tls(target.tls())
                .build();
    }
}
