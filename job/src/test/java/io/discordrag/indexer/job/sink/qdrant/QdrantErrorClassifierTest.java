package io.discordrag.indexer.job.sink.qdrant;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of retried and fatal Qdrant errors. */
class QdrantErrorClassifierTest {

    @ParameterizedTest
    @EnumSource(
            value = Status.Code.class,
            names = {
                "UNAVAILABLE",
                "DEADLINE_EXCEEDED",
                "RESOURCE_EXHAUSTED",
                "ABORTED",
                "CANCELLED",
                "INTERNAL",
                "UNKNOWN"
            })
    void transientStatusesAreRetried(Status.Code code) {
        assertThat(QdrantErrorClassifier.of(code).retryable()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(
            value = Status.Code.class,
            names = {
                "INVALID_ARGUMENT",
                "NOT_FOUND",
                "ALREADY_EXISTS",
                "FAILED_PRECONDITION",
                "PERMISSION_DENIED",
                "UNAUTHENTICATED",
                "OUT_OF_RANGE",
                "UNIMPLEMENTED",
                "DATA_LOSS",
                "OK"
            })
    void statusesThatFailTheSameWayAgainAreFatal(Status.Code code) {
        assertThat(QdrantErrorClassifier.of(code).retryable()).isFalse();
    }

    @Test
    void everyStatusHasADecisionWithAReason() {
        assertThat(QdrantErrorClassifier.table()).containsOnlyKeys(Status.Code.values());
        assertThat(QdrantErrorClassifier.table().values())
                .allSatisfy(d -> assertThat(d.reason()).isNotBlank());
    }

    @Test
    void aFailedCallIsClassifiedByTheStatusInItsCauseChain() {
        Throwable wrapped =
                new ExecutionException(
                        Status.UNAVAILABLE.withDescription("down").asRuntimeException());
        assertThat(QdrantErrorClassifier.classify(wrapped).retryable()).isTrue();
        assertThat(
                        QdrantErrorClassifier.classify(
                                        new ExecutionException(
                                                Status.INVALID_ARGUMENT
                                                        .withDescription(
                                                                "Wrong input: Vector dimension error")
                                                        .asException()))
                                .retryable())
                .isFalse();
    }

    @Test
    void aClientSideErrorWithoutStatusIsFatal() {
        assertThat(
                        QdrantErrorClassifier.classify(
                                        new IllegalArgumentException("collection name empty"))
                                .retryable())
                .isFalse();
    }
}
