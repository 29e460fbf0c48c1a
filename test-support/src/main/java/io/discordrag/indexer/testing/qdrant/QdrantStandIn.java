package io.discordrag.indexer.testing.qdrant;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * An in-process gRPC server that speaks Qdrant's API (services {@code qdrant.Qdrant}, {@code
 * qdrant.Collections}, {@code qdrant.Points}) with real Qdrant's behaviour as {@code
 * shared/qdrant-grpc-spec.md} describes it, for tests on machines where no Qdrant can run.
 *
 * <p>It listens on loopback, optionally requires an API key, keeps its data across {@link #stop()}
 * / {@link #start()} on the same port (as a real Qdrant keeps its storage across restarts), and
 * injects faults through {@link #faults()}. Test code only: never part of the job jar.
 */
public final class QdrantStandIn implements AutoCloseable {

    private final StandInStore store = new StandInStore();
    private final FaultInjector faults = new FaultInjector();
    private final String apiKey;
    private int port;
    private Server server;

    private QdrantStandIn(String apiKey, int port) {
        this.apiKey = apiKey;
        this.port = port;
    }

    /** A started stand-in on a free port, without API key. */
    public static QdrantStandIn start(String apiKey) {
        QdrantStandIn standIn = new QdrantStandIn(apiKey, 0);
        standIn.start();
        return standIn;
    }

    /** A started stand-in on a free port that accepts every caller. */
    public static QdrantStandIn startNew() {
        return start(null);
    }

    /** Starts (again) on the port it had, or a free one the first time. */
    public synchronized QdrantStandIn start() {
        if (server != null) {
            return this;
        }
        NettyServerBuilder builder =
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                        .maxInboundMessageSize(Integer.MAX_VALUE)
                        .addService(
                                ServerInterceptors.intercept(new HealthService(), interceptors()))
                        .addService(
                                ServerInterceptors.intercept(
                                        new CollectionsService(store), interceptors()))
                        .addService(
                                ServerInterceptors.intercept(
                                        new PointsService(store), interceptors()));
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Qdrant stand-in could not listen on port " + port, e);
        }
        port = server.getPort();
        return this;
    }

    private io.grpc.ServerInterceptor[] interceptors() {
        // The last interceptor runs first: count and inject faults before the key check, like a
        // network fault that happens whatever the caller sends.
        return new io.grpc.ServerInterceptor[] {new ApiKeyInterceptor(apiKey), faults};
    }

    /** Stops accepting calls and cancels those in flight; data is kept for {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    /** Stop, then start on the same port. */
    public void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The port clients connect to (plaintext gRPC, host 127.0.0.1). */
    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Drops every collection and alias. */
    public void clear() {
        synchronized (store) {
            store.clear();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
