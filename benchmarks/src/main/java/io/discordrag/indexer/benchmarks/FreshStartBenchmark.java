package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.testing.data.ConversationalChat;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.ServerSocket;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How soon a streaming job started on a database with history shows its first points: for each
 * size, a fresh PostgreSQL gets that many messages of {@link ConversationalChat} (the last of them
 * a few minutes old), then the job is started in a local MiniCluster (parallelism 2, default
 * options) and the Qdrant stand-in is polled every 100 ms. Prints the time from the start call
 * (what {@code flink run} does: checks, model load, collection bootstrap, submission) to the first
 * point, to points covering half and all of the messages that should be indexed.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@fresh-start
 * -Dbench.sizes=2000,10000,50000}.
 */
public final class FreshStartBenchmark {

    private static final long ALL_INDEXED_LIMIT_MS = 600_000;

    private FreshStartBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "2000,10000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        String model = args.length > 1 ? args[1] : "all-MiniLM-L6-v2-q";
        System.out.printf(
                Locale.ROOT,
                "fresh start: sizes %s, model %s, cores=%d, parallelism 2, job defaults%n",
                sizes,
                model,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "%9s %9s | %12s %12s %12s | %s%n",
                "messages",
                "to index",
                "first point",
                "half",
                "all",
                "points");
        for (int size : sizes) {
            run(size, model);
        }
        System.exit(0);
    }

    private static void run(int size, String model) throws Exception {
        SyntheticChat.Dataset data =
                ConversationalChat.generateEndingBy(
                                ConversationalChat.Spec.of(size), Instant.now().minusSeconds(300))
                        .dataset();
        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        try (QdrantStandIn qdrant = QdrantStandIn.startNew();
                Connection admin = postgres.adminConnection();
                QdrantClient client =
                        new QdrantClient(
                                QdrantGrpcClient.newBuilder(qdrant.host(), qdrant.port(), false)
                                        .build())) {
            SyntheticChat.insertDirectory(admin, data);
            for (int i = 0; i < data.messages().size(); i += 1000) {
                SyntheticChat.insertMessages(
                        admin,
                        data.messages().subList(i, Math.min(data.messages().size(), i + 1000)));
            }
            long toIndex = StreamingJobBenchmark.expectedSessions(data)[1];
            Map<String, String> options = StreamingJobBenchmark.jobOptions(postgres, qdrant, model);
            IndexerConfig config =
                    IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());
            String collection = config.get(IndexerOptions.QDRANT_COLLECTION);

            int restPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                restPort = socket.getLocalPort();
            }
            Configuration flink = new Configuration();
            flink.set(RestOptions.BIND_PORT, Integer.toString(restPort));
            // checkpoints to files, as every deployment has them (the JobManager's memory takes at
            // most 5 MB per state, less than a fresh start's updates waiting for the embedder)
            flink.setString(
                    "state.checkpoints.dir",
                    java.nio.file.Files.createTempDirectory("checkpoints").toUri().toString());
            long start = System.nanoTime();
            JobClient job =
                    IndexerJob.start(
                            StreamExecutionEnvironment.getExecutionEnvironment(flink), config);
            long first = -1;
            long half = -1;
            long all = -1;
            long points = 0;
            while (all < 0 && (System.nanoTime() - start) / 1_000_000 < ALL_INDEXED_LIMIT_MS) {
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                points = countPoints(client, collection);
                if (first < 0 && points > 0) {
                    first = elapsed;
                }
                if (first >= 0) {
                    long covered = LiveLagBenchmark.indexedMessages(admin);
                    if (half < 0 && covered * 2 >= toIndex) {
                        half = elapsed;
                    }
                    if (covered >= toIndex) {
                        all = elapsed;
                    }
                }
                Thread.sleep(first < 0 ? 100 : 1000);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%9d %9d | %10.1f s %10s %10s | %d%n",
                    data.messages().size(),
                    toIndex,
                    first / 1000.0,
                    seconds(half),
                    seconds(all),
                    points);
            LiveLagBenchmark.printCheckpoints(
                    "http://localhost:" + restPort, job.getJobID().toString());
            job.cancel().get();
        } finally {
            postgres.stop();
        }
    }

    private static String seconds(long ms) {
        return ms < 0
                ? "> " + ALL_INDEXED_LIMIT_MS / 1000 + " s"
                : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static long countPoints(QdrantClient client, String collection) {
        try {
            return client.countAsync(collection).get();
        } catch (Exception e) {
            return 0; // the job has not created the collection yet
        }
    }
}
