package io.discordrag.indexer.testing.qdrant;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Qdrant's API-key check: every RPC but the health checks needs {@code api-key: K} or {@code
 * authorization: Bearer K}.
 */
final class ApiKeyInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> API_KEY =
            Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> OPEN_METHODS =
            Set.of("qdrant.Qdrant/HealthCheck", "grpc.health.v1.Health/Check");

    private final String apiKey;

    ApiKeyInterceptor(String apiKey) {
        this.apiKey = apiKey;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (apiKey == null
                || OPEN_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String given = headers.get(API_KEY);
        if (given == null) {
            String auth = headers.get(AUTHORIZATION);
            if (auth != null && auth.startsWith("Bearer ")) {
                given = auth.substring("Bearer ".length());
            }
        }
        if (given == null) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription(
                            "Must provide an API key or an Authorization bearer token"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (!MessageDigest.isEqual(
                given.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription("Invalid API key or JWT"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
