package io.discordrag.indexer.job.sink.qdrant;

import io.discordrag.indexer.testing.qdrant.QdrantTarget;

import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Connector-testing-framework context for the Qdrant sink: each record is a string that becomes one
 * point (id = UUIDv3 of the string, content = the string) in a collection of this context's own.
 * The reader scrolls the whole collection once per poll, so the at-least-once check sees each
 * record once per poll (duplicates allowed).
 */
final class QdrantSinkExternalContext implements DataStreamSinkV2ExternalContext<String> {

    static final int DIM = 4;

    private final QdrantTestResource qdrant;
    private final String collection;

    QdrantSinkExternalContext(QdrantTestResource qdrant) {
        this.qdrant = qdrant;
        this.collection = QdrantTarget.uniqueCollectionName("suite");
    }

    /** The record's point: the sink's only input-dependent logic under test here. */
    static PointOperation toPoint(String record) {
        int h = record.hashCode();
        float[] vector = {1f + (h & 0xff), (h >> 8) & 0xff, (h >> 16) & 0xff, 1f};
        return PointOperation.upsert(
                UUID.nameUUIDFromBytes(record.getBytes(StandardCharsets.UTF_8)),
                vector,
                new SessionPayload(
                        1,
                        2,
                        new long[] {3},
                        new long[] {4},
                        Instant.EPOCH,
                        Instant.EPOCH,
                        record,
                        "suite",
                        0));
    }

    @Override
    public Sink<String> createSink(TestingSinkSettings sinkSettings) {
        return QdrantSink.<String>builder()
                .setConnection(qdrant.connection())
                .setCollection(QdrantCollectionOptions.builder().collection(collection).build())
                .setOptions(
                        QdrantSinkOptions.builder()
                                .bootstrapVectorSize(DIM)
                                .maxBatchPoints(16)
                                .build())
                .setEmitter((record, out) -> out.accept(toPoint(record)))
                .build();
    }

    @Override
    public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings sinkSettings) {
        return new ExternalSystemDataReader<>() {
            @Override
            public List<String> poll(Duration timeout) {
                try {
                    return readAll();
                } catch (Exception e) {
                    return Collections.emptyList();
                }
            }

            @Override
            public void close() {}
        };
    }

    private List<String> readAll() throws Exception {
        List<String> out = new ArrayList<>();
        PointId offset = null;
        do {
            ScrollPoints.Builder request =
                    ScrollPoints.newBuilder().setCollectionName(collection).setLimit(256);
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = qdrant.client().scrollAsync(request.build()).get();
            for (RetrievedPoint p : page.getResultList()) {
                out.add(p.getPayloadMap().get(PayloadSchema.CONTENT).getStringValue());
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
        return out;
    }

    @Override
    public List<String> generateTestData(TestingSinkSettings sinkSettings, long seed) {
        Random random = new Random(seed);
        Set<String> records = new HashSet<>();
        int n = 50 + random.nextInt(100);
        while (records.size() < n) {
            records.add("record-" + records.size() + "-" + Long.toHexString(random.nextLong()));
        }
        return new ArrayList<>(records);
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return Collections.emptyList();
    }

    @Override
    public void close() throws Exception {
        try {
            qdrant.client().deleteCollectionAsync(collection).get();
        } catch (ExecutionException ignored) {
            // the test never wrote to it
        }
    }
}
