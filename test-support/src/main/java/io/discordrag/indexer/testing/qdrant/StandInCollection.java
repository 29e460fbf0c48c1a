package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.OptimizerStatus;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One collection of the stand-in: its configuration, payload indexes and points. Not thread-safe on
 * its own; {@link StandInStore} serialises every access, which also gives Qdrant's "applied in WAL
 * order" guarantee.
 */
final class StandInCollection {

    /** Name of the unnamed (default) vector. */
    static final String DEFAULT_VECTOR = "";

    final String name;
    final VectorsConfig vectorsConfig;
    final Map<String, VectorParams> vectorParams;
    final HnswConfigDiff hnswConfig;
    final boolean onDiskPayload;
    final Map<String, PayloadSchemaInfo> payloadIndexes = new TreeMap<>();
    final TreeMap<PointKey, StoredPoint> points = new TreeMap<>();
    private long nextOperationId;

    StandInCollection(
            String name, VectorsConfig vectorsConfig, HnswConfigDiff hnsw, boolean onDiskPayload) {
        this.name = name;
        this.vectorsConfig = vectorsConfig;
        this.vectorParams = new LinkedHashMap<>();
        if (vectorsConfig.hasParams()) {
            vectorParams.put(DEFAULT_VECTOR, vectorsConfig.getParams());
        } else {
            vectorParams.putAll(vectorsConfig.getParamsMap().getMapMap());
        }
        HnswConfigDiff.Builder merged =
                HnswConfigDiff.newBuilder()
                        .setM(16)
                        .setEfConstruct(100)
                        .setFullScanThreshold(10000)
                        .setMaxIndexingThreads(0)
                        .setOnDisk(false);
        merged.mergeFrom(hnsw);
        this.hnswConfig = merged.build();
        this.onDiskPayload = onDiskPayload;
    }

    long nextOperationId() {
        return nextOperationId++;
    }

    VectorParams params(String vectorName) {
        VectorParams p = vectorParams.get(vectorName);
        if (p == null) {
            throw QdrantErrors.badInput("Not existing vector name error: " + vectorName);
        }
        return p;
    }

    /**
     * Validates the dimension and returns the vector as Qdrant stores it (cosine: L2-normalised).
     */
    float[] prepare(String vectorName, List<Float> data) {
        VectorParams p = params(vectorName);
        if (data.size() != p.getSize()) {
            throw QdrantErrors.badInput(
                    "Vector dimension error: expected dim: "
                            + p.getSize()
                            + ", got "
                            + data.size());
        }
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i);
        }
        return p.getDistance() == Distance.Cosine ? Scoring.normalise(v) : v;
    }

    List<StoredPoint> filtered(Filter filter) {
        List<StoredPoint> out = new ArrayList<>();
        for (StoredPoint p : points.values()) {
            if (FilterEvaluator.matches(filter, p.id(), p.payload())) {
                out.add(p);
            }
        }
        return out;
    }

    CollectionInfo info() {
        CollectionInfo.Builder info =
                CollectionInfo.newBuilder()
                        .setStatus(CollectionStatus.Green)
                        .setOptimizerStatus(OptimizerStatus.newBuilder().setOk(true))
                        .setSegmentsCount(1)
                        .setPointsCount(points.size())
                        .setIndexedVectorsCount(0)
                        .setConfig(
                                CollectionConfig.newBuilder()
                                        .setParams(
                                                CollectionParams.newBuilder()
                                                        .setShardNumber(1)
                                                        .setReplicationFactor(1)
                                                        .setWriteConsistencyFactor(1)
                                                        .setOnDiskPayload(onDiskPayload)
                                                        .setVectorsConfig(vectorsConfig))
                                        .setHnswConfig(hnswConfig));
        for (Map.Entry<String, PayloadSchemaInfo> e : payloadIndexes.entrySet()) {
            long count =
                    points.values().stream()
                            .filter(p -> !PayloadPaths.rawValues(p.payload(), e.getKey()).isEmpty())
                            .count();
            info.putPayloadSchema(e.getKey(), e.getValue().toBuilder().setPoints(count).build());
        }
        return info.build();
    }

    static Map<String, Value> copy(Map<String, Value> payload) {
        return new LinkedHashMap<>(payload);
    }
}
