package io.discordrag.indexer.job.sink.qdrant;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which Qdrant failures are worth retrying. Transient: the server or the network may recover
 * (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNKNOWN, CANCELLED). Everything
 * else — a wrong dimension or bad id (INVALID_ARGUMENT), a missing collection (NOT_FOUND), a bad key
 * (UNAUTHENTICATED, PERMISSION_DENIED) — fails the same way again and is permanent.
 */
public final class QdrantErrors {

    private static final Set<Status.Code> TRANSIENT = EnumSet.of(Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED,
            Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.CANCELLED);

    private QdrantErrors() {}

    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException) {
                return TRANSIENT.contains(((StatusRuntimeException) t).getStatus().getCode());
            }
        }
        return false;
    }
}
