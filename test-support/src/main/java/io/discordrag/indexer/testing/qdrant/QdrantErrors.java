package io.discordrag.indexer.testing.qdrant;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The gRPC statuses and message prefixes real Qdrant uses for each error kind (spec section 3). */
final class QdrantErrors {

    private QdrantErrors() {}

    static Status invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message);
    }

    static StatusRuntimeException badInput(String message) {
        return invalidArgument("Wrong input: " + message).asRuntimeException();
    }

    static StatusRuntimeException badRequest(String message) {
        return invalidArgument("Bad request: " + message).asRuntimeException();
    }

    static StatusRuntimeException validation(String field, String message) {
        return invalidArgument("Validation error in body: [" + field + ": " + message + "]")
                .asRuntimeException();
    }

    static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription("Not found: " + message).asRuntimeException();
    }

    static StatusRuntimeException collectionNotFound(String name) {
        return notFound("Collection `" + name + "` doesn't exist!");
    }

    static StatusRuntimeException alreadyExists(String message) {
        return Status.ALREADY_EXISTS
                .withDescription("Wrong input: " + message)
                .asRuntimeException();
    }

    static StatusRuntimeException unimplemented(String what) {
        return Status.UNIMPLEMENTED
                .withDescription("The Qdrant stand-in does not implement " + what)
                .asRuntimeException();
    }
}
