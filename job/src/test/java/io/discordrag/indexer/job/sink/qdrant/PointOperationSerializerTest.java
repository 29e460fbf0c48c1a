package io.discordrag.indexer.job.sink.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** PointOperation round-trips through its Flink serializer, and Flink picks that serializer. */
class PointOperationSerializerTest {

    private static PointOperation roundTrip(PointOperation op) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        PointOperationSerializer.INSTANCE.serialize(op, out);
        return PointOperationSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void roundTripsUpsertsAndDeletes() throws Exception {
        PointOperation upsert = PointOperation.upsert(UUID.randomUUID(), new float[] {0.5f, -1f, 3f},
                new SessionPayload(1, 2, new long[] {3, 4}, new long[] {5}, Instant.parse("2024-01-01T00:00:00.123Z"),
                        Instant.parse("2024-01-01T00:10:00Z"), "héllo 🔥", "m", 2));
        PointOperation delete = PointOperation.delete(UUID.randomUUID());
        assertThat(roundTrip(upsert)).isEqualTo(upsert);
        assertThat(roundTrip(delete)).isEqualTo(delete);
    }

    @Test
    void flinkUsesTheDedicatedTypeInformation() {
        assertThat(TypeInformation.of(PointOperation.class)).isEqualTo(PointOperationTypeInfo.INSTANCE);
    }

    @Test
    void contentIsCutTo1000Characters() {
        SessionPayload p = new SessionPayload(1, 2, new long[] {3}, new long[] {5}, Instant.EPOCH, Instant.EPOCH,
                "x".repeat(5000), "m", 0);
        assertThat(p.content()).hasSize(SessionPayload.MAX_CONTENT_CHARS);
    }
}
