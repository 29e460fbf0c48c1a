package io.discordrag.indexer.job;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.sink.jdbc.WriteBackSink;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantConnectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantSinkOptions;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.flink.EmbeddingAsync;
import io.discordrag.indexer.udf.model.ModelRegistry;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.List;

/**
 * Every option of the indexer job, with its key, type, default and meaning. The main class reads
 * them from the command line ({@code --key value}) and an optional properties file ({@code --config
 * FILE}); {@code --help} prints {@link #all()}, which is every {@code ConfigOption} field of this
 * class. Secrets are not options: they come from environment variables (or files) whose names are
 * options.
 */
public final class IndexerOptions {

    private IndexerOptions() {}

    // ------------------------------------------------------------------ job

    public static final ConfigOption<JobMode> MODE =
            ConfigOptions.key("mode")
                    .enumType(JobMode.class)
                    .defaultValue(JobMode.STREAMING)
                    .withDescription(
                            "What to run: 'streaming' (snapshot, then follow changes), 'backfill' (index "
                                    + "the table once with BATCH execution, then finish) or 'reindex' (backfill into a new "
                                    + "qdrant.collection, then move qdrant.alias to it in one atomic step).");

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("discord-rag-indexer")
                    .withDescription("Name of the Flink job.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Parallelism of the pipeline; -1 uses the cluster default.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Checkpoint interval. Writes are held until the checkpoint covering them completes "
                                    + "(the exactly-once effect), so this bounds how fresh the index is; Postgres "
                                    + "writes are flushed on every checkpoint, Qdrant writes not yet acknowledged are "
                                    + "saved in it.");

    // ------------------------------------------------------------------ postgres

    public static final ConfigOption<String> POSTGRES_HOST =
            ConfigOptions.key("postgres.host")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_HOST)
                    .withDescription("Postgres host.");

    public static final ConfigOption<Integer> POSTGRES_PORT =
            ConfigOptions.key("postgres.port")
                    .intType()
                    .defaultValue(PostgresOptions.DEFAULT_PORT)
                    .withDescription("Postgres port.");

    public static final ConfigOption<String> POSTGRES_DATABASE =
            ConfigOptions.key("postgres.database")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_DATABASE)
                    .withDescription("Database of the bot's tables.");

    public static final ConfigOption<String> POSTGRES_USER =
            ConfigOptions.key("postgres.user")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_USER)
                    .withDescription(
                            "Role with LOGIN REPLICATION and the grants of deploy/sql/02-cdc.sql.");

    public static final ConfigOption<String> POSTGRES_PASSWORD_ENV =
            ConfigOptions.key("postgres.password-env")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_PASSWORD_ENV)
                    .withDescription("Environment variable holding the role's password.");

    public static final ConfigOption<String> POSTGRES_SLOT =
            ConfigOptions.key("postgres.slot")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_SLOT)
                    .withDescription("Logical replication slot of this job (one per running job).");

    public static final ConfigOption<String> POSTGRES_PUBLICATION =
            ConfigOptions.key("postgres.publication")
                    .stringType()
                    .defaultValue(PostgresOptions.DEFAULT_PUBLICATION)
                    .withDescription("Publication of public.messages, created ahead by an admin.");

    public static final ConfigOption<Duration> LOOKUP_CACHE_TTL =
            ConfigOptions.key("lookup.cache-ttl")
                    .durationType()
                    .defaultValue(ChangeInterpreter.DEFAULT_LOOKUP_TTL)
                    .withDescription(
                            "How long author and channel names are cached before being read again.");

    // ------------------------------------------------------------------ sessions

    public static final ConfigOption<Duration> SESSION_GAP =
            ConfigOptions.key("session.gap")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_GAP)
                    .withDescription("Silence in a channel that ends a conversation session.");

    public static final ConfigOption<Integer> SESSION_MIN_MESSAGES =
            ConfigOptions.key("session.min-messages")
                    .intType()
                    .defaultValue(SessionizerOptions.DEFAULT_MIN_MESSAGES)
                    .withDescription("Sessions with fewer live messages are not indexed.");

    public static final ConfigOption<Integer> SESSION_MAX_TOKENS =
            ConfigOptions.key("session.max-tokens")
                    .intType()
                    .defaultValue(SessionizerOptions.DEFAULT_MAX_TOKENS)
                    .withDescription(
                            "Token budget of one point's text; longer sessions are split into chunks.");

    public static final ConfigOption<Duration> SESSION_IDLE_TIMEOUT =
            ConfigOptions.key("session.idle-timeout")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_IDLE_TIMEOUT)
                    .withDescription(
                            "Wall-clock time after a channel's last change when its last conversation is "
                                    + "closed (it is already indexed as it stands; closing counts it as emitted).");

    public static final ConfigOption<Duration> SESSION_FLUSH_DELAY =
            ConfigOptions.key("session.flush-delay")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_FLUSH_DELAY)
                    .withDescription(
                            "Changes to a channel are collected this long before its conversations are "
                                    + "planned and their changed points written.");

    public static final ConfigOption<Duration> SESSION_SNAPSHOT_QUIET =
            ConfigOptions.key("session.snapshot-quiet")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_SNAPSHOT_QUIET)
                    .withDescription(
                            "Snapshot rows of a channel are planned once none has arrived for this long.");

    public static final ConfigOption<Duration> SESSION_STATE_RETENTION =
            ConfigOptions.key("session.state-retention")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_STATE_RETENTION)
                    .withDescription(
                            "How far behind a channel's latest message its history stays in state; "
                                    + "a change to older history reloads it from PostgreSQL.");

    public static final ConfigOption<SessionizerOptions.Grouping> SESSION_GROUPING =
            ConfigOptions.key("session.grouping")
                    .enumType(SessionizerOptions.Grouping.class)
                    .defaultValue(SessionizerOptions.DEFAULT_GROUPING)
                    .withDescription(
                            "conversations: inside a stretch of a channel, a message joins the "
                                    + "conversation it replies to, of the user it mentions, or of "
                                    + "its author's last message; time_gap: the stretch is one "
                                    + "conversation (round 1).");

    public static final ConfigOption<Duration> SESSION_REPLY_WINDOW =
            ConfigOptions.key("session.reply-window")
                    .durationType()
                    .defaultValue(SessionizerOptions.DEFAULT_REPLY_WINDOW)
                    .withDescription(
                            "A reply to a message up to this much older, across a silence longer "
                                    + "than session.gap, quotes that message and carries its "
                                    + "conversation id.");

    // ------------------------------------------------------------------ embedding

    public static final ConfigOption<String> EMBEDDING_MODEL =
            ConfigOptions.key("embedding.model")
                    .stringType()
                    .defaultValue(ModelRegistry.DEFAULT_MODEL)
                    .withDescription("Embedding model, one of " + ModelRegistry.ids() + ".");

    public static final ConfigOption<Integer> EMBEDDING_BATCH_MAX_SIZE =
            ConfigOptions.key("embedding.batch.max-size")
                    .intType()
                    .defaultValue(EmbeddingOptions.DEFAULT_MAX_BATCH_SIZE)
                    .withDescription("Most texts per inference batch.");

    public static final ConfigOption<Integer> EMBEDDING_BATCH_MAX_TOKENS =
            ConfigOptions.key("embedding.batch.max-tokens")
                    .intType()
                    .defaultValue(EmbeddingOptions.DEFAULT_MAX_BATCH_TOKENS)
                    .withDescription("Most padded tokens per inference batch.");

    public static final ConfigOption<Duration> EMBEDDING_BATCH_MAX_WAIT =
            ConfigOptions.key("embedding.batch.max-wait")
                    .durationType()
                    .defaultValue(EmbeddingOptions.DEFAULT_MAX_WAIT)
                    .withDescription("Longest wait for a batch to fill.");

    public static final ConfigOption<Integer> EMBEDDING_INTRA_OP_THREADS =
            ConfigOptions.key("embedding.threads.intra-op")
                    .intType()
                    .defaultValue(EmbeddingOptions.DEFAULT_INTRA_OP_THREADS)
                    .withDescription(
                            "ONNX Runtime threads per inference; 0 lets ONNX Runtime choose.");

    public static final ConfigOption<Integer> EMBEDDING_INFERENCE_THREADS =
            ConfigOptions.key("embedding.threads.inference")
                    .intType()
                    .defaultValue(EmbeddingOptions.DEFAULT_INFERENCE_THREADS)
                    .withDescription("Concurrent inference batches per TaskManager.");

    public static final ConfigOption<Integer> EMBEDDING_ASYNC_CAPACITY =
            ConfigOptions.key("embedding.async.capacity")
                    .intType()
                    .defaultValue(EmbeddingAsync.DEFAULT_CAPACITY)
                    .withDescription(
                            "Chunks in flight per embedding subtask (the backpressure bound).");

    public static final ConfigOption<Duration> EMBEDDING_ASYNC_TIMEOUT =
            ConfigOptions.key("embedding.async.timeout")
                    .durationType()
                    .defaultValue(EmbeddingAsync.DEFAULT_TIMEOUT)
                    .withDescription("Longest time one chunk may wait for its embedding.");

    public static final ConfigOption<Integer> EMBEDDING_ASYNC_MAX_ATTEMPTS =
            ConfigOptions.key("embedding.async.max-attempts")
                    .intType()
                    .defaultValue(EmbeddingAsync.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "Attempts per chunk on a transient embedding error (a timeout, a failed "
                                    + "inference) before the job fails; a text the model cannot embed is never retried.");

    // ------------------------------------------------------------------ qdrant

    public static final ConfigOption<String> QDRANT_HOST =
            ConfigOptions.key("qdrant.host")
                    .stringType()
                    .defaultValue(QdrantConnectionOptions.DEFAULT_HOST)
                    .withDescription("Qdrant host.");

    public static final ConfigOption<Integer> QDRANT_PORT =
            ConfigOptions.key("qdrant.port")
                    .intType()
                    .defaultValue(QdrantConnectionOptions.DEFAULT_PORT)
                    .withDescription("Qdrant gRPC port.");

    public static final ConfigOption<Boolean> QDRANT_TLS =
            ConfigOptions.key("qdrant.tls")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Connect to Qdrant with TLS.");

    public static final ConfigOption<String> QDRANT_API_KEY_ENV =
            ConfigOptions.key("qdrant.api-key-env")
                    .stringType()
                    .defaultValue(QdrantConnectionOptions.DEFAULT_API_KEY_ENV)
                    .withDescription("Environment variable holding the Qdrant API key (if any).");

    public static final ConfigOption<String> QDRANT_API_KEY_FILE =
            ConfigOptions.key("qdrant.api-key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the Qdrant API key; wins over the environment variable.");

    public static final ConfigOption<Duration> QDRANT_TIMEOUT =
            ConfigOptions.key("qdrant.timeout")
                    .durationType()
                    .defaultValue(QdrantConnectionOptions.DEFAULT_TIMEOUT)
                    .withDescription("Deadline of one Qdrant call.");

    public static final ConfigOption<String> QDRANT_COLLECTION =
            ConfigOptions.key("qdrant.collection")
                    .stringType()
                    .defaultValue(QdrantCollectionOptions.DEFAULT_COLLECTION)
                    .withDescription(
                            "Collection the job writes (created with its payload indexes if missing).");

    public static final ConfigOption<Long> BACKFILL_SPLIT_ROWS =
            ConfigOptions.key("backfill.split-rows")
                    .longType()
                    .defaultValue(
                            io.discordrag.indexer.job.source.MessageTableSource.DEFAULT_SPLIT_ROWS)
                    .withDescription(
                            "Backfill and reindex: rows of messages per primary-key range the parallel "
                                    + "readers share.");

    public static final ConfigOption<String> QDRANT_ALIAS =
            ConfigOptions.key("qdrant.alias")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Alias readers search through (none: they search qdrant.collection). Streaming "
                                    + "and backfill create it for qdrant.collection if missing and refuse one that points "
                                    + "elsewhere; reindex moves it to qdrant.collection when that is complete.");

    public static final ConfigOption<Boolean> REINDEX_DROP_OLD =
            ConfigOptions.key("reindex.drop-old")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "After a reindex moved qdrant.alias, delete the collection it pointed to before "
                                    + "(default: keep it, to move the alias back).");

    public static final ConfigOption<Integer> QDRANT_HNSW_M =
            ConfigOptions.key("qdrant.hnsw.m")
                    .intType()
                    .defaultValue(QdrantCollectionOptions.DEFAULT_HNSW_M)
                    .withDescription(
                            "Global HNSW links of a new collection (0: every search filters by guild).");

    public static final ConfigOption<Integer> QDRANT_HNSW_PAYLOAD_M =
            ConfigOptions.key("qdrant.hnsw.payload-m")
                    .intType()
                    .defaultValue(QdrantCollectionOptions.DEFAULT_HNSW_PAYLOAD_M)
                    .withDescription("Per-guild HNSW links of a new collection.");

    public static final ConfigOption<Integer> QDRANT_BATCH_MAX_POINTS =
            ConfigOptions.key("qdrant.batch.max-points")
                    .intType()
                    .defaultValue(QdrantSinkOptions.DEFAULT_MAX_BATCH_POINTS)
                    .withDescription("Most points per Qdrant write.");

    public static final ConfigOption<MemorySize> QDRANT_BATCH_MAX_BYTES =
            ConfigOptions.key("qdrant.batch.max-bytes")
                    .memoryType()
                    .defaultValue(new MemorySize(QdrantSinkOptions.DEFAULT_MAX_BATCH_BYTES))
                    .withDescription("Most estimated bytes of points per Qdrant write.");

    public static final ConfigOption<Duration> QDRANT_BATCH_FLUSH_INTERVAL =
            ConfigOptions.key("qdrant.batch.flush-interval")
                    .durationType()
                    .defaultValue(QdrantSinkOptions.DEFAULT_FLUSH_INTERVAL)
                    .withDescription("Longest time a point waits in the sink's buffer.");

    public static final ConfigOption<Integer> QDRANT_RETRY_MAX_ATTEMPTS =
            ConfigOptions.key("qdrant.retry.max-attempts")
                    .intType()
                    .defaultValue(QdrantSinkOptions.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "Attempts per Qdrant write before the job fails (and restarts from its checkpoint).");

    public static final ConfigOption<Duration> QDRANT_RETRY_INITIAL_BACKOFF =
            ConfigOptions.key("qdrant.retry.initial-backoff")
                    .durationType()
                    .defaultValue(QdrantSinkOptions.DEFAULT_INITIAL_BACKOFF)
                    .withDescription(
                            "Backoff before the first retry of a failed Qdrant write; doubles with each attempt.");

    public static final ConfigOption<Duration> QDRANT_RETRY_MAX_BACKOFF =
            ConfigOptions.key("qdrant.retry.max-backoff")
                    .durationType()
                    .defaultValue(QdrantSinkOptions.DEFAULT_MAX_BACKOFF)
                    .withDescription("Longest backoff between retries of a failed Qdrant write.");

    // ------------------------------------------------------------------ write-back

    public static final ConfigOption<Integer> WRITE_BACK_BATCH_SIZE =
            ConfigOptions.key("write-back.batch-size")
                    .intType()
                    .defaultValue(WriteBackSink.DEFAULT_BATCH_SIZE)
                    .withDescription("Statements per Postgres write-back batch.");

    public static final ConfigOption<Duration> WRITE_BACK_BATCH_INTERVAL =
            ConfigOptions.key("write-back.batch-interval")
                    .durationType()
                    .defaultValue(WriteBackSink.DEFAULT_BATCH_INTERVAL)
                    .withDescription("Longest time a write-back waits in its batch.");

    public static final ConfigOption<Integer> WRITE_BACK_MAX_RETRIES =
            ConfigOptions.key("write-back.max-retries")
                    .intType()
                    .defaultValue(WriteBackSink.DEFAULT_MAX_RETRIES)
                    .withDescription("Retries of a failed write-back batch.");

    /**
     * Every option of this class, sorted by key: derived from the {@code public static
     * ConfigOption} fields (never a hand-written list), so a field added here is accepted,
     * type-checked and listed by {@code --help}; tests check that README documents it and that
     * {@link IndexerConfig} refuses a bad value of it.
     */
    public static List<ConfigOption<?>> all() {
        return Declared.ALL;
    }

    /**
     * Initialised on first use, after every field above (wherever it is declared) has its value.
     */
    private static final class Declared {
        static final List<ConfigOption<?>> ALL = CommandLine.declaredIn(IndexerOptions.class);
    }
}
