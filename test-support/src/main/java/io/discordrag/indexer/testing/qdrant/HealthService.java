package io.discordrag.indexer.testing.qdrant;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;

/** {@code qdrant.Qdrant/HealthCheck}, answered at once with a version the Java client accepts. */
final class HealthService extends QdrantGrpc.QdrantImplBase {

    static final String TITLE = "qdrant - vector search engine";
    static final String VERSION = "1.18.0";

    @Override
    public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> observer) {
        observer.onNext(
                HealthCheckReply.newBuilder()
                        .setTitle(TITLE)
                        .setVersion(VERSION)
                        .setCommit("qdrant-stand-in")
                        .build());
        observer.onCompleted();
    }
}
