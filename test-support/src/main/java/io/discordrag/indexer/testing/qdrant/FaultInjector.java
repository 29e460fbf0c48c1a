package io.discordrag.indexer.testing.qdrant;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults for reliability tests, applied to the stand-in's RPCs before they reach the services: fail
 * the next N calls (of one RPC or of any) with a chosen status, delay every call, and count calls
 * by RPC. Method names are gRPC full names without the leading slash, e.g. {@code
 * qdrant.Points/Upsert}; {@link #UPSERT}, {@link #DELETE} and friends name the common ones.
 * Thread-safe.
 */
public final class FaultInjector implements ServerInterceptor {

    public static final String ANY = "*";
    public static final String UPSERT = "qdrant.Points/Upsert";
    public static final String DELETE = "qdrant.Points/Delete";
    public static final String QUERY = "qdrant.Points/Query";
    public static final String SEARCH = "qdrant.Points/Search";
    public static final String SCROLL = "qdrant.Points/Scroll";
    public static final String CREATE_COLLECTION = "qdrant.Collections/Create";
    public static final String HEALTH_CHECK = "qdrant.Qdrant/HealthCheck";

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, PendingFailures> failures = new ConcurrentHashMap<>();
    private final AtomicLong latencyNanos = new AtomicLong();

    private static final class PendingFailures {
        final AtomicInteger remaining;
        final Status status;

        PendingFailures(int count, Status status) {
            this.remaining = new AtomicInteger(count);
            this.status = status;
        }
    }

    /** Fails the next {@code count} calls of {@code method} (or of any RPC, with {@link #ANY}). */
    public FaultInjector failNext(String method, int count, Status.Code code) {
        failures.put(
                method,
                new PendingFailures(
                        count,
                        Status.fromCode(code)
                                .withDescription("Injected fault by the Qdrant stand-in")));
        return this;
    }

    /** Fails the next {@code count} calls of any RPC but the health check. */
    public FaultInjector failNext(int count, Status.Code code) {
        return failNext(ANY, count, code);
    }

    /** Delays every call (health checks included) by {@code latency} before it is handled. */
    public FaultInjector setLatency(Duration latency) {
        latencyNanos.set(latency.toNanos());
        return this;
    }

    /** How many calls of {@code method} reached the server, failed ones included. */
    public int callCount(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** Failures still to inject for {@code method}. */
    public int pendingFailures(String method) {
        PendingFailures p = failures.get(method);
        return p == null ? 0 : Math.max(0, p.remaining.get());
    }

    /** Clears counters, pending failures and latency. */
    public void reset() {
        calls.clear();
        failures.clear();
        latencyNanos.set(0);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        long delay = latencyNanos.get();
        if (delay > 0) {
            try {
                Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Status injected = take(method);
        if (injected == null && !method.equals(HEALTH_CHECK)) {
            injected = take(ANY);
        }
        if (injected != null) {
            call.close(injected, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }

    private Status take(String key) {
        PendingFailures p = failures.get(key);
        if (p != null && p.remaining.getAndDecrement() > 0) {
            return p.status;
        }
        return null;
    }
}
