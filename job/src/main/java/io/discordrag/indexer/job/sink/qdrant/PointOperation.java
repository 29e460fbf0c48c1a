package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * What the Qdrant sink does to one point. For one point id the sink applies operations in the order
 * they were emitted; an upsert replaces the point's vector and whole payload, a delete removes it,
 * so the last operation emitted for an id decides the point's final state.
 */
public sealed interface PointOperation extends Serializable
        permits PointOperation.Upsert, PointOperation.Delete {

    UUID pointId();

    /** Rough size on the wire, for the sink's byte budget. */
    int estimatedBytes();

    static Upsert upsert(UUID pointId, float[] vector, SessionPayload payload) {
        return new Upsert(pointId, vector, payload);
    }

    static Delete delete(UUID pointId) {
        return new Delete(pointId);
    }

    /** Insert or replace a point. */
    record Upsert(UUID pointId, float[] vector, SessionPayload payload) implements PointOperation {
        public Upsert {
            Objects.requireNonNull(pointId, "pointId");
            Objects.requireNonNull(vector, "vector");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public int estimatedBytes() {
            return 64
                    + 5 * vector.length
                    + payload.content().length() * 2
                    + 10 * (payload.messageIds().length + payload.authorIds().length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Upsert u
                    && pointId.equals(u.pointId)
                    && Arrays.equals(vector, u.vector)
                    && payload.equals(u.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pointId, Arrays.hashCode(vector), payload);
        }

        @Override
        public String toString() {
            return "Upsert{" + pointId + ", " + payload + "}";
        }
    }

    /** Remove a point; a point that does not exist is not an error. */
    record Delete(UUID pointId) implements PointOperation {
        public Delete {
            Objects.requireNonNull(pointId, "pointId");
        }

        @Override
        public int estimatedBytes() {
            return 40;
        }
    }
}
