package io.discordrag.indexer.job;

import io.discordrag.indexer.job.config.IndexerConfig;
import io.discordrag.indexer.job.config.IndexerOptions;
import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.job.source.PostgresOptions;
import io.discordrag.indexer.job.source.PostgresPrerequisites;
import io.discordrag.indexer.job.verify.VerifyCommand;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;
import io.qdrant.client.QdrantClient;
import java.sql.Connection;
import java.util.Arrays;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's entry point: {@code --mode streaming} (default) checks the Postgres prerequisites and
 * the Qdrant collection, then runs the {@link StreamingPipeline}; {@code --mode backfill} runs the same
 * pipeline over a bounded snapshot with BATCH execution, logs {@link BackfillProgress} and exits when done. Submitted with {@code flink run} it
 * runs on that cluster; started as a plain Java program it runs in an embedded MiniCluster.
 * {@code --help} lists every option with its default. Exit codes: 0 success, 2 bad options, 1 failure.
 * {@code verify [--guild ID]} as the first argument runs the {@link VerifyCommand} with the same options.
 */
public final class IndexerJob {

    private static final Logger LOG = LoggerFactory.getLogger(IndexerJob.class);

    private IndexerJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("verify")) {
            System.exit(VerifyCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(IndexerConfig.help());
            return;
        }
        IndexerConfig config;
        try {
            config = IndexerConfig.fromArgs(args);
            config.postgres();
            config.sessions();
            config.embedding();
        } catch (IllegalArgumentException e) {
            System.err.println("discord-rag-indexer: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        prepare(env, config);
        if (!config.mode().bounded()) {
            env.execute(config.get(IndexerOptions.JOB_NAME));
            return;
        }
        long rows = estimateRows(config.postgres());
        JobClient job = env.executeAsync(config.get(IndexerOptions.JOB_NAME));
        LOG.info("Backfill {} started: about {} rows of messages to read", job.getJobID(), rows);
        JobStatus status = new BackfillProgress(job, rows, PROGRESS_INTERVAL, LOG::info).follow();
        if (status != JobStatus.FINISHED) {
            LOG.error("Backfill ended {}", status);
            System.exit(1);
        }
    }

    static final java.time.Duration PROGRESS_INTERVAL = java.time.Duration.ofSeconds(30);

    /** Rows of {@code messages}, for progress: the planner's estimate, or a count if it has none. */
    static long estimateRows(PostgresOptions postgres) throws java.sql.SQLException {
        try (Connection c = postgres.connect(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT CASE WHEN reltuples > 0 THEN reltuples::bigint "
                        + "ELSE (SELECT count(*) FROM messages) END FROM pg_class WHERE oid = 'messages'::regclass")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Starts the job without waiting for it (tests, the demo); the prerequisites are checked first. */
    public static JobClient start(StreamExecutionEnvironment env, IndexerConfig config) throws Exception {
        prepare(env, config);
        return env.executeAsync(config.get(IndexerOptions.JOB_NAME));
    }

    /** Checks the prerequisites and adds the configured pipeline to {@code env}. */
    public static void prepare(StreamExecutionEnvironment env, IndexerConfig config) throws Exception {
        PostgresOptions postgres = config.postgres();
        boolean bounded = config.mode().bounded();
        if (!bounded) { // a backfill reads the table over plain JDBC: no replication needed
            try (Connection c = postgres.connect()) {
                PostgresPrerequisites.check(c, postgres.publication(), postgres.slot());
            }
        }
        int dimension = modelDimension(config);
        try (QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            CollectionBootstrap.Result r = CollectionBootstrap.ensure(client, config.qdrantCollection(), dimension);
            LOG.info("Qdrant collection {} ready ({})", config.get(IndexerOptions.QDRANT_COLLECTION), r);
        }
        int parallelism = config.get(IndexerOptions.PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        if (bounded) {
            env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        } else {
            env.enableCheckpointing(config.get(IndexerOptions.CHECKPOINT_INTERVAL).toMillis());
        }
        env.getConfig().disableAutoGeneratedUIDs();
        StreamingPipeline.build(env, config, dimension);
    }

    private static int modelDimension(IndexerConfig config) {
        try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(config.embedding())) {
            return lease.model().dimension();
        }
    }
}
