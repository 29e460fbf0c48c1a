package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.PointOperation;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantConnectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantSink;
import io.discordrag.indexer.job.sink.qdrant.QdrantSinkOptions;
import io.discordrag.indexer.job.sink.qdrant.SessionPayload;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Upsert throughput of the Qdrant sink at batch sizes 1, 64 and 256 against the in-process Qdrant
 * stand-in (not a real Qdrant: these figures measure the sink and the gRPC path, not Qdrant's
 * indexing). Points have 384-dimensional vectors and a realistic payload (~600 characters of
 * content). Each size runs a warm-up job, then the best of 3 timed jobs in a local Flink
 * environment, parallelism 1.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@sink}.
 */
public final class SinkThroughputBenchmark {

    private SinkThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        try (QdrantStandIn standIn = QdrantStandIn.startNew();
                QdrantClient client =
                        new QdrantClient(
                                QdrantGrpcClient.newBuilder(standIn.host(), standIn.port(), false)
                                        .build())) {
            System.out.printf(
                    Locale.ROOT,
                    "Qdrant stand-in (in-process), cores=%d%n",
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%6s %8s %12s%n", "batch", "points", "points/s");
            for (int batch : new int[] {1, 64, 256}) {
                int points = batch == 1 ? 2_000 : 20_000;
                double best = 0;
                for (int run = 0; run < 4; run++) {
                    String collection = "bench_" + batch + "_" + run;
                    CollectionBootstrap.ensure(
                            client,
                            QdrantCollectionOptions.builder().collection(collection).build(),
                            384);
                    long start = System.nanoTime();
                    write(standIn, collection, batch, points);
                    double perSecond = points / ((System.nanoTime() - start) / 1e9);
                    if (run > 0) {
                        best = Math.max(best, perSecond);
                    }
                    client.deleteCollectionAsync(collection).get();
                }
                System.out.printf(Locale.ROOT, "%6d %8d %12.0f%n", batch, points, best);
            }
        }
    }

    private static void write(QdrantStandIn standIn, String collection, int batch, int points)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        String content = "[someone @ 2024-05-01 10:00]: ".repeat(20);
        env.fromSequence(0, points - 1)
                .sinkTo(
                        QdrantSink.<Long>builder()
                                .setConnection(
                                        QdrantConnectionOptions.builder()
                                                .host(standIn.host())
                                                .port(standIn.port())
                                                .build())
                                .setCollection(
                                        QdrantCollectionOptions.builder()
                                                .collection(collection)
                                                .build())
                                .setOptions(
                                        QdrantSinkOptions.builder().maxBatchPoints(batch).build())
                                .setEmitter(
                                        (i, out) -> {
                                            Random r = new Random(i);
                                            float[] v = new float[384];
                                            for (int d = 0; d < v.length; d++) {
                                                v[d] = (float) r.nextGaussian();
                                            }
                                            out.accept(
                                                    PointOperation.upsert(
                                                            UUID.nameUUIDFromBytes(
                                                                    ("p" + i)
                                                                            .getBytes(
                                                                                    StandardCharsets
                                                                                            .UTF_8)),
                                                            v,
                                                            new SessionPayload(
                                                                    1,
                                                                    2,
                                                                    new long[] {i, i + 1},
                                                                    new long[] {7, 8},
                                                                    Instant.EPOCH,
                                                                    Instant.EPOCH,
                                                                    content,
                                                                    "bench",
                                                                    0)));
                                        })
                                .build());
        env.execute("sink-throughput-" + batch);
    }
}
