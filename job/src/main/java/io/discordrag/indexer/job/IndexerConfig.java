package io.discordrag.indexer.job;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.sink.jdbc.WriteBackSink;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantConnectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantSinkOptions;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.cli.CommandLine;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;

import java.util.Map;

import static io.discordrag.indexer.job.IndexerOptions.*;
import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * The job's configuration: {@link IndexerOptions} read from {@code --key value} (or {@code
 * --key=value}) arguments over an optional properties file ({@code --config FILE}) over the
 * defaults, and turned into the components' options values. A configuration exists only once every
 * option has been read and every options value built: unknown keys, secrets on the command line and
 * bad values are all rejected up front, with one {@link IllegalArgumentException} line naming the
 * key, so a typo never silently falls back to a default and nothing starts with a value that fails
 * later.
 */
public final class IndexerConfig {

    private final Configuration config;
    private final PostgresOptions.Builder postgresOverride;

    private IndexerConfig(Configuration config, PostgresOptions.Builder postgresOverride) {
        this.config = config;
        this.postgresOverride = postgresOverride;
    }

    /** The job's command line: exactly {@link IndexerOptions#all()}. */
    public static CommandLine commandLine() {
        return CommandLine.of(IndexerOptions.all());
    }

    /** Parses command-line arguments (without {@code --help}, which the caller handles). */
    public static IndexerConfig fromArgs(String... args) {
        return of(commandLine().parse(args).config());
    }

    /** A configuration from key/value pairs, checked as the command line is. */
    public static IndexerConfig fromMap(Map<String, String> values) {
        return fromArgs(
                values.entrySet().stream()
                        .map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
    }

    /**
     * A validated configuration from what a {@link CommandLine} parsed; keys that are not job
     * options (a command's own, like verify's {@code guild}) are ignored.
     */
    public static IndexerConfig of(Configuration config) {
        IndexerConfig c = new IndexerConfig(config, null);
        c.validate();
        return c;
    }

    /**
     * Reads every option and builds every options value, so a bad value fails here, before anything
     * runs.
     */
    private void validate() {
        for (ConfigOption<?> o : IndexerOptions.all()) {
            CommandLine.get(config, o);
        }
        postgres();
        sessions();
        embedding();
        qdrantConnection();
        qdrantCollection();
        qdrantSinkBuilder().build();
        writeBack();
        // options the pipeline reads directly, without an options value of their own
        checkArgument(!config.get(JOB_NAME).isBlank(), "job.name must not be blank");
        int parallelism = config.get(PARALLELISM);
        checkArgument(
                parallelism == -1 || parallelism >= 1,
                "parallelism must be -1 (the cluster's default) or at least 1, got %s",
                parallelism);
        checkArgument(
                config.get(CHECKPOINT_INTERVAL).toMillis() >= MIN_CHECKPOINT_INTERVAL_MS,
                "checkpoint.interval must be at least %s ms (Flink's minimum), got %s",
                MIN_CHECKPOINT_INTERVAL_MS,
                config.get(CHECKPOINT_INTERVAL));
        checkArgument(!config.get(LOOKUP_CACHE_TTL).isZero(), "lookup.cache-ttl must be positive");
        checkArgument(
                config.get(BACKFILL_SPLIT_ROWS) >= 1,
                "backfill.split-rows must be at least 1, got %s",
                config.get(BACKFILL_SPLIT_ROWS));
        checkArgument(
                config.get(EMBEDDING_ASYNC_CAPACITY) >= 1,
                "embedding.async.capacity must be positive, got %s",
                config.get(EMBEDDING_ASYNC_CAPACITY));
        checkArgument(
                !config.get(EMBEDDING_ASYNC_TIMEOUT).isZero(),
                "embedding.async.timeout must be positive");
        checkArgument(
                config.get(EMBEDDING_ASYNC_MAX_ATTEMPTS) >= 1,
                "embedding.async.max-attempts must be at least 1, got %s",
                config.get(EMBEDDING_ASYNC_MAX_ATTEMPTS));
    }

    private static final long MIN_CHECKPOINT_INTERVAL_MS = 10;

    /** The same configuration with the Postgres password set programmatically (tests, the demo). */
    public IndexerConfig withPostgresPassword(String password) {
        return new IndexerConfig(config, postgresBuilder().password(password));
    }

    public <T> java.util.Optional<T> getOptional(ConfigOption<T> option) {
        return config.getOptional(option);
    }

    public <T> T get(ConfigOption<T> option) {
        return config.get(option);
    }

    public JobMode mode() {
        return config.get(MODE);
    }

    public PostgresOptions postgres() {
        return (postgresOverride != null ? postgresOverride : postgresBuilder()).build();
    }

    private PostgresOptions.Builder postgresBuilder() {
        return PostgresOptions.builder()
                .host(config.get(POSTGRES_HOST))
                .port(config.get(POSTGRES_PORT))
                .database(config.get(POSTGRES_DATABASE))
                .user(config.get(POSTGRES_USER))
                .passwordEnv(config.get(POSTGRES_PASSWORD_ENV))
                .slot(config.get(POSTGRES_SLOT))
                .publication(config.get(POSTGRES_PUBLICATION));
    }

    public SessionizerOptions sessions() {
        return SessionizerOptions.builder()
                .gap(config.get(SESSION_GAP))
                .minMessages(config.get(SESSION_MIN_MESSAGES))
                .maxTokens(config.get(SESSION_MAX_TOKENS))
                .idleTimeout(config.get(SESSION_IDLE_TIMEOUT))
                .flushDelay(config.get(SESSION_FLUSH_DELAY))
                .snapshotQuiet(config.get(SESSION_SNAPSHOT_QUIET))
                .stateRetention(config.get(SESSION_STATE_RETENTION))
                .grouping(config.get(SESSION_GROUPING))
                .replyWindow(config.get(SESSION_REPLY_WINDOW))
                .build();
    }

    public EmbeddingOptions embedding() {
        return EmbeddingOptions.builder()
                .model(config.get(EMBEDDING_MODEL))
                .maxBatchSize(config.get(EMBEDDING_BATCH_MAX_SIZE))
                .maxBatchTokens(config.get(EMBEDDING_BATCH_MAX_TOKENS))
                .maxWait(config.get(EMBEDDING_BATCH_MAX_WAIT))
                .intraOpThreads(config.get(EMBEDDING_INTRA_OP_THREADS))
                .inferenceThreads(config.get(EMBEDDING_INFERENCE_THREADS))
                .build();
    }

    public QdrantConnectionOptions qdrantConnection() {
        QdrantConnectionOptions.Builder b =
                QdrantConnectionOptions.builder()
                        .host(config.get(QDRANT_HOST))
                        .port(config.get(QDRANT_PORT))
                        .tls(config.get(QDRANT_TLS))
                        .apiKeyEnv(config.get(QDRANT_API_KEY_ENV))
                        .timeout(config.get(QDRANT_TIMEOUT));
        config.getOptional(QDRANT_API_KEY_FILE).ifPresent(b::apiKeyFile);
        return b.build();
    }

    /**
     * The collection the job writes and the alias readers use. In {@code reindex} mode the alias is
     * left out: it still serves the old collection until the new one is complete, and is then moved
     * by the job's client ({@link io.discordrag.indexer.job.sink.qdrant.AliasSwitch}).
     */
    public QdrantCollectionOptions qdrantCollection() {
        QdrantCollectionOptions.Builder b =
                QdrantCollectionOptions.builder()
                        .collection(config.get(QDRANT_COLLECTION))
                        .hnswM(config.get(QDRANT_HNSW_M))
                        .hnswPayloadM(config.get(QDRANT_HNSW_PAYLOAD_M));
        if (mode() != JobMode.REINDEX) {
            config.getOptional(QDRANT_ALIAS).ifPresent(b::alias);
        }
        return b.build();
    }

    /**
     * Sink options; {@code vectorSize} is the model's dimension, checked against the collection.
     */
    public QdrantSinkOptions qdrantSink(int vectorSize) {
        return qdrantSinkBuilder().bootstrapVectorSize(vectorSize).build();
    }

    private QdrantSinkOptions.Builder qdrantSinkBuilder() {
        return QdrantSinkOptions.builder()
                .maxBatchPoints(config.get(QDRANT_BATCH_MAX_POINTS))
                .maxBatchBytes(config.get(QDRANT_BATCH_MAX_BYTES).getBytes())
                .flushInterval(config.get(QDRANT_BATCH_FLUSH_INTERVAL))
                .maxAttempts(config.get(QDRANT_RETRY_MAX_ATTEMPTS))
                .initialBackoff(config.get(QDRANT_RETRY_INITIAL_BACKOFF))
                .maxBackoff(config.get(QDRANT_RETRY_MAX_BACKOFF));
    }

    /** The Postgres write-back's batching and retries. */
    public JdbcExecutionOptions writeBack() {
        return WriteBackSink.executionOptions(
                config.get(WRITE_BACK_BATCH_SIZE),
                config.get(WRITE_BACK_BATCH_INTERVAL),
                config.get(WRITE_BACK_MAX_RETRIES));
    }

    /** The {@code --help} text: every option with its default and meaning. */
    public static String help() {
        return "Usage: discord-rag-indexer [--config FILE] [--key value]...\n"
                + "       discord-rag-indexer verify [--guild ID] [--config FILE] [--key value]...  (verify --help)\n"
                + "       discord-rag-indexer search --guild ID [--config FILE] [--key value]... QUERY  (search --help)\n"
                + "       discord-rag-indexer embed [--config FILE] [--key value]...  (embed --help)\n\n"
                + "Options (command line over --config file over defaults):\n"
                + commandLine().optionsHelp()
                + "\nSecrets come from the environment, never from options: the Postgres password from the\n"
                + "variable named by postgres.password-env, the Qdrant API key from qdrant.api-key-env\n"
                + "or qdrant.api-key-file.\n"
                + "Exit codes: 0 done, 1 failed or not ready, 2 bad options.\n";
    }
}
