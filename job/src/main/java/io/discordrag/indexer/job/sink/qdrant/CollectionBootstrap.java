package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.job.config.NotReadyException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Makes the collection ready, idempotently: creates it if missing (cosine vectors of the model's
 * size, the multitenancy HNSW layout), verifies an existing one has that size and distance (and
 * fails with a message naming both otherwise), creates missing payload indexes of {@link
 * PayloadSchema#INDEXES}, and creates the alias when one is configured. Safe to run from several
 * subtasks at once. A collection or alias that cannot serve this job, or a Qdrant that cannot be
 * reached, is a {@link NotReadyException}.
 */
public final class CollectionBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(CollectionBootstrap.class);

    /** What a bootstrap run changed. */
    public record Result(
            boolean collectionCreated, List<String> indexesCreated, boolean aliasCreated) {}

    private CollectionBootstrap() {}

    public static Result ensure(
            QdrantClient client, QdrantCollectionOptions options, int dimension) {
        String name = options.collection();
        boolean created = false;
        if (!call(client.collectionExistsAsync(name), name)) {
            created = create(client, options, dimension);
        }
        CollectionInfo info = call(client.getCollectionInfoAsync(name), name);
        verify(name, info, dimension);

        List<String> indexes = new ArrayList<>();
        for (PayloadSchema.Index index : PayloadSchema.INDEXES) {
            PayloadSchemaInfo existing = info.getPayloadSchemaMap().get(index.field());
            if (existing == null) {
                call(
                        client.createPayloadIndexAsync(
                                name,
                                index.field(),
                                index.type(),
                                index.params(),
                                true,
                                null,
                                null),
                        name);
                indexes.add(index.field());
            } else if (existing.getDataType() != index.type()) {
                throw new NotReadyException(
                        "Qdrant collection '"
                                + name
                                + "' has a "
                                + existing.getDataType()
                                + " index on payload field '"
                                + index.field()
                                + "', but the indexer needs "
                                + index.type());
            }
        }
        boolean aliasCreated = options.alias().isPresent() && ensureAlias(client, options);
        if (created || !indexes.isEmpty() || aliasCreated) {
            LOG.info(
                    "Qdrant collection '{}' ready (created: {}, indexes created: {}, alias created: {})",
                    name,
                    created,
                    indexes,
                    aliasCreated);
        }
        return new Result(created, indexes, aliasCreated);
    }

    private static boolean create(
            QdrantClient client, QdrantCollectionOptions options, int dimension) {
        CreateCollection request =
                CreateCollection.newBuilder()
                        .setCollectionName(options.collection())
                        .setVectorsConfig(
                                VectorsConfig.newBuilder()
                                        .setParams(
                                                VectorParams.newBuilder()
                                                        .setSize(dimension)
                                                        .setDistance(Distance.Cosine)))
                        .setHnswConfig(
                                HnswConfigDiff.newBuilder()
                                        .setM(options.hnswM())
                                        .setPayloadM(options.hnswPayloadM()))
                        .build();
        try {
            client.createCollectionAsync(request).get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException
                    && ((StatusRuntimeException) e.getCause()).getStatus().getCode()
                            == Status.Code.ALREADY_EXISTS) {
                return false; // another subtask created it first
            }
            throw failure("create", options.collection(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "Interrupted while creating Qdrant collection " + options.collection(), e);
        }
    }

    static void verify(String name, CollectionInfo info, int dimension) {
        VectorsConfig vectors = info.getConfig().getParams().getVectorsConfig();
        if (!vectors.hasParams()) {
            throw new NotReadyException(
                    "Qdrant collection '"
                            + name
                            + "' uses named vectors "
                            + vectors.getParamsMap().getMapMap().keySet()
                            + "; the indexer needs one unnamed vector of size "
                            + dimension
                            + " (cosine). Use another collection or reindex.");
        }
        VectorParams params = vectors.getParams();
        if (params.getSize() != dimension || params.getDistance() != Distance.Cosine) {
            throw new NotReadyException(
                    "Qdrant collection '"
                            + name
                            + "' has vectors of size "
                            + params.getSize()
                            + " with distance "
                            + params.getDistance()
                            + ", but the model produces "
                            + dimension
                            + "-dimensional cosine vectors. Use another collection (qdrant.collection) "
                            + "or reindex into a new one.");
        }
    }

    private static boolean ensureAlias(QdrantClient client, QdrantCollectionOptions options) {
        String alias = options.alias().orElseThrow();
        for (AliasDescription a : call(client.listAliasesAsync(), options.collection())) {
            if (a.getAliasName().equals(alias)) {
                if (!a.getCollectionName().equals(options.collection())) {
                    throw new NotReadyException(
                            "Qdrant alias '"
                                    + alias
                                    + "' points to collection '"
                                    + a.getCollectionName()
                                    + "', not to '"
                                    + options.collection()
                                    + "'. Move it with the reindex mode, or configure qdrant.collection accordingly.");
                }
                return false;
            }
        }
        call(client.createAliasAsync(alias, options.collection()), options.collection());
        return true;
    }

    private static <T> T call(Future<T> future, String collection) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw failure("prepare", collection, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "Interrupted while preparing Qdrant collection " + collection, e);
        }
    }

    private static NotReadyException failure(String what, String collection, ExecutionException e) {
        return new NotReadyException(
                "Cannot "
                        + what
                        + " Qdrant collection '"
                        + collection
                        + "': "
                        + e.getCause().getMessage(),
                e.getCause());
    }
}
