package io.discordrag.indexer.job.sink.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;

/**
 * Creates Qdrant clients from {@link QdrantConnectionOptions}; the API key is applied, never
 * logged.
 */
public final class QdrantClients {

    private QdrantClients() {}

    public static QdrantClient create(QdrantConnectionOptions options) {
        QdrantGrpcClient.Builder builder =
                QdrantGrpcClient.newBuilder(options.host(), options.port(), options.tls())
                        .withTimeout(options.timeout());
        options.resolveApiKey().ifPresent(builder::withApiKey);
        return new QdrantClient(builder.build());
    }
}
