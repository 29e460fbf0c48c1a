package io.discordrag.indexer.job.sink.qdrant;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The writer state round-trips through its serializer, keeping the operations' order. */
class QdrantWriterStateSerializerTest {

    @Test
    void roundTripsUpsertsAndDeletesInOrder() throws Exception {
        UUID id = UUID.randomUUID();
        PointOperation upsert =
                PointOperation.upsert(
                        id,
                        new float[] {0.5f, -1f, 3f},
                        new SessionPayload(
                                1,
                                2,
                                new long[] {3, 4},
                                new long[] {5},
                                Instant.parse("2024-01-01T00:00:00.123Z"),
                                Instant.parse("2024-01-01T00:10:00Z"),
                                "h\u00e9llo \ud83d\udd25",
                                "m",
                                2));
        QdrantWriterState state =
                new QdrantWriterState(
                        List.of(
                                PointOperation.delete(UUID.randomUUID()),
                                upsert,
                                PointOperation.delete(id)));
        QdrantWriterStateSerializer serializer = QdrantWriterStateSerializer.INSTANCE;
        QdrantWriterState back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
        assertThat(back.operations()).containsExactlyElementsOf(state.operations());
    }

    @Test
    void contentIsCutTo1000Characters() {
        SessionPayload p =
                new SessionPayload(
                        1,
                        2,
                        new long[] {3},
                        new long[] {5},
                        Instant.EPOCH,
                        Instant.EPOCH,
                        "x".repeat(5000),
                        "m",
                        0);
        assertThat(p.content()).hasSize(SessionPayload.MAX_CONTENT_CHARS);
    }
}
