package io.discordrag.indexer.job.sink.qdrant;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Creates Qdrant clients from {@link QdrantConnectionOptions}; the API key is applied, never
 * logged. Each client owns its gRPC threads (one event loop, an executor for callbacks and name
 * resolution; daemon threads) and stops them when it is closed: with gRPC's shared defaults the
 * event loop outlived a stopped job, was shut down a second later by a timer, and by then Flink had
 * closed the job's classloader ({@code NoClassDefFoundError: io/grpc/netty/shaded/...}), which also
 * kept that classloader alive.
 */
public final class QdrantClients {

    private static final long SHUTDOWN_SECONDS = 5;

    private QdrantClients() {}

    public static QdrantClient create(QdrantConnectionOptions options) {
        String name = "qdrant-" + options.host() + "-" + options.port();
        NioEventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory(name, true));
        ExecutorService executor =
                Executors.newCachedThreadPool(new DefaultThreadFactory(name + "-callback", true));
        NettyChannelBuilder channel =
                NettyChannelBuilder.forAddress(options.host(), options.port())
                        .eventLoopGroup(loop)
                        .channelType(NioSocketChannel.class)
                        .executor(executor)
                        .offloadExecutor(executor);
        if (options.tls()) {
            channel.useTransportSecurity();
        } else {
            channel.usePlaintext();
        }
        QdrantGrpcClient.Builder builder =
                QdrantGrpcClient.newBuilder(channel.build(), true).withTimeout(options.timeout());
        options.resolveApiKey().ifPresent(builder::withApiKey);
        return new OwningClient(builder.build(), loop, executor);
    }

    /** A client that stops its channel's threads when closed. */
    private static final class OwningClient extends QdrantClient {
        private final NioEventLoopGroup loop;
        private final ExecutorService executor;

        OwningClient(QdrantGrpcClient grpc, NioEventLoopGroup loop, ExecutorService executor) {
            super(grpc);
            this.loop = loop;
            this.executor = executor;
        }

        @Override
        public void close() {
            super.close(); // shuts the channel down and waits for it
            loop.shutdownGracefully(0, SHUTDOWN_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
            executor.shutdown();
            try {
                executor.awaitTermination(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
