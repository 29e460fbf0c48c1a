package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates uniquely named collections for one test and drops them afterwards (safe on a shared
 * server).
 */
final class TestCollections {

    private final QdrantClient client;
    private final List<String> created = new ArrayList<>();

    TestCollections(QdrantClient client) {
        this.client = client;
    }

    String create(int dim, Distance distance) throws Exception {
        String name = QdrantTarget.uniqueCollectionName("conf");
        ConformanceSupport.await(
                client.createCollectionAsync(
                        name,
                        VectorParams.newBuilder().setSize(dim).setDistance(distance).build()));
        created.add(name);
        return name;
    }

    /** Registers a collection created by the test itself, to be dropped with the others. */
    void track(String name) {
        created.add(name);
    }

    void dropAll() throws Exception {
        for (String name : created) {
            try {
                client.deleteCollectionAsync(name).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException alreadyGone) {
                // deleted by the test itself
            }
        }
        created.clear();
    }
}
