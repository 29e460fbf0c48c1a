package io.discordrag.indexer.job.sink.qdrant;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Decides, for every gRPC status a Qdrant write can end with, whether the sink retries it (with
 * bounded backoff, at most {@code qdrant.retry.max-attempts} times) or fails the task at once, and
 * why. Retried statuses are those where the same request may succeed later; the rest fail the same
 * way again. A failure that carries no gRPC status (a client-side error) is fatal. Immutable and
 * thread-safe.
 */
public final class QdrantErrorClassifier {

    /**
     * The decision for one status: retry or fail, and the reason, for logs and the table's test.
     */
    public record Decision(boolean retryable, String reason) {}

    private static final Map<Status.Code, Decision> TABLE;

    static {
        Map<Status.Code, Decision> t = new EnumMap<>(Status.Code.class);
        t.put(Status.Code.UNAVAILABLE, retry("Qdrant is down, restarting or unreachable"));
        t.put(
                Status.Code.DEADLINE_EXCEEDED,
                retry("Qdrant timed out (\"Timeout: \") or the call's deadline passed"));
        t.put(
                Status.Code.RESOURCE_EXHAUSTED,
                retry("Qdrant or a proxy is overloaded or rate-limiting"));
        t.put(
                Status.Code.ABORTED,
                retry("a conflicting concurrent operation; the request can be replayed"));
        t.put(
                Status.Code.CANCELLED,
                retry("the call was cancelled in transit (connection reset, proxy)"));
        // Qdrant maps storage and service errors (a full disk, a shard still loading after a
        // restart) to
        // INTERNAL: these can pass; one that does not still fails the task once the attempts run
        // out.
        t.put(
                Status.Code.INTERNAL,
                retry("a Qdrant storage or service error, which may pass (bounded retry)"));
        // Qdrant never sends UNKNOWN for a bad request; grpc-java reports it for an HTTP error from
        // a proxy
        // in front of Qdrant or a stream that ended without a status.
        t.put(
                Status.Code.UNKNOWN,
                retry("no gRPC status from the server (e.g. an HTTP error of a proxy)"));
        t.put(
                Status.Code.INVALID_ARGUMENT,
                fail("a bad request (wrong vector dimension, bad id or payload)"));
        t.put(Status.Code.NOT_FOUND, fail("the collection does not exist"));
        t.put(Status.Code.ALREADY_EXISTS, fail("Qdrant refused to create something that exists"));
        t.put(
                Status.Code.FAILED_PRECONDITION,
                fail("the collection is not in a state to accept the write"));
        t.put(Status.Code.PERMISSION_DENIED, fail("the API key may not write (read-only key)"));
        t.put(Status.Code.UNAUTHENTICATED, fail("the API key is missing or wrong"));
        t.put(Status.Code.OUT_OF_RANGE, fail("a value out of range in the request"));
        t.put(
                Status.Code.UNIMPLEMENTED,
                fail("this Qdrant does not support the call (version mismatch)"));
        t.put(Status.Code.DATA_LOSS, fail("Qdrant reports unrecoverable data loss"));
        t.put(Status.Code.OK, fail("an OK status is not an error; reaching here is a bug"));
        TABLE = Collections.unmodifiableMap(t);
    }

    private static final Decision CLIENT_SIDE = fail("a client-side error without a gRPC status");

    private QdrantErrorClassifier() {}

    private static Decision retry(String reason) {
        return new Decision(true, reason);
    }

    private static Decision fail(String reason) {
        return new Decision(false, reason);
    }

    /** The decision for a status code; every code has one. */
    public static Decision of(Status.Code code) {
        return TABLE.get(code);
    }

    /** The decision for a failed call: by the first gRPC status in its cause chain, else fatal. */
    public static Decision classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException e) {
                return of(e.getStatus().getCode());
            }
            if (t instanceof StatusException e) {
                return of(e.getStatus().getCode());
            }
        }
        return CLIENT_SIDE;
    }

    /** The whole table, for documentation and tests. */
    static Map<Status.Code, Decision> table() {
        return TABLE;
    }
}
