package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.function.Supplier;

/** Runs one RPC's logic under the store lock and turns its result or error into the gRPC reply. */
final class Responses {

    private Responses() {}

    static <T> void reply(StandInStore store, StreamObserver<T> observer, Supplier<T> logic) {
        T result;
        try {
            synchronized (store) {
                result = logic.get();
            }
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            observer.onError(
                    Status.INTERNAL
                            .withDescription(String.valueOf(e))
                            .withCause(e)
                            .asRuntimeException());
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }

    /**
     * Seconds since {@code startNanos}, for the {@code time} field every Qdrant response carries.
     */
    static double elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
