package io.discordrag.indexer.testing.qdrant;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Helpers for tests written only against the public io.qdrant:client API. */
final class ConformanceSupport {

    private ConformanceSupport() {}

    static <T> T await(ListenableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    /**
     * Asserts the call fails with this gRPC status code and a description containing {@code
     * fragment}.
     */
    static StatusRuntimeException assertStatus(
            ListenableFuture<?> future, Status.Code code, String fragment) {
        Throwable thrown = catchThrowable(() -> future.get(30, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(StatusRuntimeException.class);
        StatusRuntimeException e = (StatusRuntimeException) thrown.getCause();
        assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(code);
        if (fragment != null) {
            assertThat(e.getStatus().getDescription()).contains(fragment);
        }
        return e;
    }

    static PointStruct point(long num, float[] vector, Map<String, Value> payload) {
        return point(id(num), vector, payload);
    }

    static PointStruct point(PointId id, float[] vector, Map<String, Value> payload) {
        return PointStruct.newBuilder()
                .setId(id)
                .setVectors(vectors(vector))
                .putAllPayload(payload)
                .build();
    }

    @SuppressWarnings("deprecation")
    static List<Float> vectorOf(VectorsOutput vectors) {
        VectorOutput v = vectors.getVector();
        return v.hasDense() ? v.getDense().getDataList() : v.getDataList();
    }

    static List<String> ids(List<PointId> ids) {
        List<String> out = new ArrayList<>();
        for (PointId id : ids) {
            out.add(id.hasNum() ? Long.toUnsignedString(id.getNum()) : id.getUuid());
        }
        return out;
    }
}
