package io.discordrag.indexer.job;

import io.discordrag.indexer.job.config.NotReadyException;
import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.search.SearchCli;
import io.discordrag.indexer.job.sink.qdrant.AliasSwitch;
import io.discordrag.indexer.job.sink.qdrant.CollectionBootstrap;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.job.source.PostgresPrerequisites;
import io.discordrag.indexer.job.verify.VerifyCommand;
import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.cli.EmbedCli;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.NativeLibraries;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import io.qdrant.client.QdrantClient;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The indexer's entry point: {@code --mode streaming} (default) checks the Postgres prerequisites
 * and the Qdrant collection, then runs the {@link StreamingPipeline}; {@code --mode backfill} runs
 * the same pipeline over a bounded snapshot with BATCH execution, logs {@link BackfillProgress} and
 * exits when done; {@code --mode reindex} is a backfill into a new {@code qdrant.collection} that
 * ends by moving {@code qdrant.alias} to it in one atomic step (and drops the old collection if
 * asked), so readers of the alias never see an empty or half-built index. Submitted with {@code
 * flink run} it runs on that cluster; started as a plain Java program it runs in an embedded
 * MiniCluster. {@code --help} lists every option with its default. Exit codes: 0 success, 2 bad
 * options, 1 failure or an environment that is not ready (a {@link NotReadyException}, printed as
 * one error). {@code verify}, {@code search} and {@code embed} as the first argument run the {@link
 * VerifyCommand}, {@link SearchCli} and {@link EmbedCli} with the same dialect ({@link
 * CommandLine}) and keys.
 */
public final class IndexerJob {

    private static final Logger LOG = LoggerFactory.getLogger(IndexerJob.class);

    private IndexerJob() {}

    public static void main(String[] args) throws Exception {
        int exitCode = run(args, System.out, System.err);
        if (exitCode != 0 || (args.length > 0 && SUBCOMMANDS.contains(args[0]))) {
            System.exit(
                    exitCode); // commands always exit: their clients' threads must not keep the JVM
            // alive
        }
    }

    private static final java.util.Set<String> SUBCOMMANDS =
            java.util.Set.of("verify", "search", "embed");

    /**
     * Runs the command line and returns its exit code: 0 done, 1 failed or not ready, 2 bad
     * options. Bad options and an environment that is not ready ({@link NotReadyException}) are
     * reported on {@code err} as one error, without a stack trace. In streaming mode it returns
     * only when the job ends.
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (args.length > 0 && args[0].equals("verify")) {
            return VerifyCommand.run(rest, out, err);
        }
        if (args.length > 0 && args[0].equals("search")) {
            return SearchCli.run(rest, out, err);
        }
        if (args.length > 0 && args[0].equals("embed")) {
            return EmbedCli.run(rest, System.in, out, err);
        }
        if (CommandLine.asksForHelp(args)) {
            out.println(IndexerConfig.help());
            return 0;
        }
        IndexerConfig config;
        try {
            config = IndexerConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            err.println(ERROR_PREFIX + e.getMessage());
            return 2;
        }
        return run(config, err);
    }

    /**
     * Runs a parsed configuration; exit codes and error reporting as {@link #run(String[],
     * PrintStream, PrintStream)}.
     */
    static int run(IndexerConfig config, PrintStream err) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        try {
            if (!config.mode().bounded()) {
                prepare(env, config);
                env.execute(config.get(IndexerOptions.JOB_NAME));
                return 0;
            }
            JobStatus status;
            try {
                status = runBounded(env, config, PROGRESS_INTERVAL);
            } catch (IllegalArgumentException e) {
                err.println(ERROR_PREFIX + e.getMessage());
                return 2;
            }
            return status == JobStatus.FINISHED ? 0 : 1;
        } catch (NotReadyException e) {
            LOG.error("Not started: {}", e.getMessage());
            err.println(ERROR_PREFIX + e.getMessage());
            return 1;
        }
    }

    private static final String ERROR_PREFIX = "discord-rag-indexer: ";

    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(30);

    /**
     * Runs {@code backfill} or {@code reindex} to its end, logging progress every {@code
     * progressInterval}, and returns the job's final status. A reindex moves its alias only after
     * the job FINISHED; a failed or cancelled one leaves readers on the old collection.
     *
     * @throws IllegalArgumentException when the options cannot work (a reindex without an alias, or
     *     into the collection the alias already serves)
     * @throws IllegalStateException when the streaming job is running on the same database (its
     *     replication slot is active): both would write {@code message_sessions}
     */
    public static JobStatus runBounded(
            StreamExecutionEnvironment env, IndexerConfig config, Duration progressInterval)
            throws Exception {
        JobMode mode = config.mode();
        if (!mode.bounded()) {
            throw new IllegalArgumentException(
                    "runBounded needs mode backfill or reindex, not " + mode);
        }
        String alias = mode == JobMode.REINDEX ? checkReindex(config) : null;
        prepare(env, config);
        long rows = estimateRows(config.postgres());
        JobClient job = env.executeAsync(config.get(IndexerOptions.JOB_NAME));
        LOG.info(
                "{} {} started: about {} rows of messages to read into collection {}",
                mode == JobMode.REINDEX ? "Reindex" : "Backfill",
                job.getJobID(),
                rows,
                config.get(IndexerOptions.QDRANT_COLLECTION));
        JobStatus status = new BackfillProgress(job, rows, progressInterval, LOG::info).follow();
        if (status != JobStatus.FINISHED) {
            LOG.error(
                    "{} ended {}{}",
                    mode == JobMode.REINDEX ? "Reindex" : "Backfill",
                    status,
                    alias == null ? "" : "; alias " + alias + " was not moved");
            return status;
        }
        if (alias != null) {
            switchAlias(config, alias);
        }
        return status;
    }

    /** The alias a reindex moves, after checking it can be moved to the configured collection. */
    private static String checkReindex(IndexerConfig config) {
        String collection = config.get(IndexerOptions.QDRANT_COLLECTION);
        String alias =
                config.getOptional(IndexerOptions.QDRANT_ALIAS)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "--mode reindex needs qdrant.alias: the alias readers search, moved to qdrant.collection ("
                                                        + collection
                                                        + ") when the new index is complete"));
        try (QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            Optional<String> live = AliasSwitch.current(client, alias);
            if (live.isPresent() && live.get().equals(collection)) {
                throw new IllegalArgumentException(
                        "qdrant.alias "
                                + alias
                                + " already serves collection "
                                + collection
                                + ": give the reindex a new qdrant.collection (e.g. "
                                + collection
                                + "_v2)");
            }
            LOG.info(
                    "Reindex into collection {}; alias {} serves {} until it is complete",
                    collection,
                    alias,
                    live.map(c -> "collection " + c).orElse("nothing yet"));
        }
        return alias;
    }

    private static void switchAlias(IndexerConfig config, String alias) throws Exception {
        String collection = config.get(IndexerOptions.QDRANT_COLLECTION);
        try (QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            Optional<String> before = AliasSwitch.move(client, alias, collection);
            LOG.info(
                    "Alias {} moved to collection {} (from {})",
                    alias,
                    collection,
                    before.orElse("nowhere: the alias is new"));
            if (before.isEmpty() || before.get().equals(collection)) {
                return;
            }
            if (config.get(IndexerOptions.REINDEX_DROP_OLD)) {
                client.deleteCollectionAsync(before.get()).get();
                LOG.info("Old collection {} deleted (reindex.drop-old)", before.get());
            } else {
                LOG.info(
                        "Old collection {} kept: move the alias back to it, or delete it when no longer needed",
                        before.get());
            }
        }
    }

    /**
     * Rows of {@code messages}, for progress: the planner's estimate, or a count if it has none.
     */
    static long estimateRows(PostgresOptions postgres) throws java.sql.SQLException {
        try (Connection c = postgres.connect();
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs =
                        s.executeQuery(
                                "SELECT CASE WHEN reltuples > 0 THEN reltuples::bigint "
                                        + "ELSE (SELECT count(*) FROM messages) END FROM pg_class WHERE oid = 'messages'::regclass")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Starts the job without waiting for it (tests, the demo); the prerequisites are checked first.
     */
    public static JobClient start(StreamExecutionEnvironment env, IndexerConfig config)
            throws Exception {
        prepare(env, config);
        return env.executeAsync(config.get(IndexerOptions.JOB_NAME));
    }

    /** Checks the prerequisites and adds the configured pipeline to {@code env}. */
    public static void prepare(StreamExecutionEnvironment env, IndexerConfig config)
            throws Exception {
        try {
            // this process loads the model (for its dimension), and the TaskManagers need the same
            // jars: say so before connecting anywhere
            NativeLibraries.require();
        } catch (NativeLibraries.MissingException e) {
            throw new NotReadyException(e.getMessage(), e);
        }
        PostgresOptions postgres = config.postgres();
        boolean bounded = config.mode().bounded();
        try (Connection c = connect(postgres)) {
            if (bounded) { // reads the table over plain JDBC: no replication needed, but no
                // streaming job either
                PostgresPrerequisites.checkSlotIdle(c, postgres.slot());
            } else {
                PostgresPrerequisites.check(c, postgres.publication(), postgres.slot());
            }
        }
        int dimension = modelDimension(config);
        try (QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            CollectionBootstrap.Result r =
                    CollectionBootstrap.ensure(client, config.qdrantCollection(), dimension);
            LOG.info(
                    "Qdrant collection {} ready ({})",
                    config.get(IndexerOptions.QDRANT_COLLECTION),
                    r);
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

    private static Connection connect(PostgresOptions postgres) {
        postgres.missingPassword()
                .ifPresent(
                        missing -> {
                            throw new NotReadyException(missing);
                        });
        try {
            return postgres.connect();
        } catch (java.sql.SQLException e) {
            throw new NotReadyException(
                    "Cannot connect to PostgreSQL at "
                            + postgres.jdbcUrl()
                            + " as "
                            + postgres.user()
                            + ": "
                            + e.getMessage()
                            + " (check postgres.host, postgres.port, "
                            + "postgres.database, postgres.user, and the password in the environment)",
                    e);
        }
    }

    private static int modelDimension(IndexerConfig config) {
        OptionalInt declared = ModelRegistry.dimension(config.embedding().model());
        if (declared.isPresent()) {
            return declared.getAsInt(); // a built-in model: no need to load it here
        }
        try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(config.embedding())) {
            return lease.model().dimension();
        }
    }
}
