package io.discordrag.indexer.job.config;

import static io.discordrag.indexer.job.config.IndexerOptions.*;

import io.discordrag.indexer.job.session.SessionizerOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantConnectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantSinkOptions;
import io.discordrag.indexer.job.source.PostgresOptions;
import io.discordrag.indexer.udf.EmbeddingOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The job's configuration: {@link IndexerOptions} read from {@code --key value} (or {@code --key=value})
 * arguments over an optional properties file ({@code --config FILE}) over the defaults, and turned into
 * the components' options values. Unknown keys and secrets on the command line are rejected with a
 * message naming the key, so a typo never silently falls back to a default.
 */
public final class IndexerConfig {

    /** Keys that look like secrets: they must come from the environment or a file, never from arguments. */
    private static final Set<String> SECRET_KEYS = Set.of("postgres.password", "qdrant.api-key");

    private final Configuration config;
    private final PostgresOptions.Builder postgresOverride;

    private IndexerConfig(Configuration config, PostgresOptions.Builder postgresOverride) {
        this.config = config;
        this.postgresOverride = postgresOverride;
    }

    /** Parses command-line arguments (without {@code --help}, which the caller handles). */
    public static IndexerConfig fromArgs(String... args) throws IOException {
        Map<String, String> fromArgs = new LinkedHashMap<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + a + "': options are --key value");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Option --" + key + " needs a value");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                configFile = value;
            } else {
                fromArgs.put(key, value);
            }
        }
        Map<String, String> merged = new HashMap<>();
        if (configFile != null) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(configFile))) {
                props.load(r);
            }
            props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k).trim()));
        }
        merged.putAll(fromArgs);
        return fromMap(merged);
    }

    /** A configuration from key/value pairs; unknown keys and secrets are rejected. */
    public static IndexerConfig fromMap(Map<String, String> values) {
        Set<String> known = ALL.stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (String key : values.keySet()) {
            if (SECRET_KEYS.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' cannot be given as an option: secrets are read "
                        + "from the environment variable named by " + key + "-env");
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException("Unknown option '" + key + "'; see --help for the options");
            }
        }
        return new IndexerConfig(Configuration.fromMap(values), null);
    }

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
        QdrantConnectionOptions.Builder b = QdrantConnectionOptions.builder()
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
     * left out: it still serves the old collection until the new one is complete, and is then moved by
     * the job's client ({@link io.discordrag.indexer.job.sink.qdrant.AliasSwitch}).
     */
    public QdrantCollectionOptions qdrantCollection() {
        QdrantCollectionOptions.Builder b = QdrantCollectionOptions.builder()
                .collection(config.get(QDRANT_COLLECTION))
                .hnswM(config.get(QDRANT_HNSW_M))
                .hnswPayloadM(config.get(QDRANT_HNSW_PAYLOAD_M));
        if (mode() != JobMode.REINDEX) {
            config.getOptional(QDRANT_ALIAS).ifPresent(b::alias);
        }
        return b.build();
    }

    /** Sink options; {@code vectorSize} is the model's dimension, checked against the collection. */
    public QdrantSinkOptions qdrantSink(int vectorSize) {
        return QdrantSinkOptions.builder()
                .maxBatchPoints(config.get(QDRANT_BATCH_MAX_POINTS))
                .maxBatchBytes(config.get(QDRANT_BATCH_MAX_BYTES).getBytes())
                .flushInterval(config.get(QDRANT_BATCH_FLUSH_INTERVAL))
                .maxAttempts(config.get(QDRANT_RETRY_MAX_ATTEMPTS))
                .initialBackoff(config.get(QDRANT_RETRY_INITIAL_BACKOFF))
                .maxBackoff(config.get(QDRANT_RETRY_MAX_BACKOFF))
                .bootstrapVectorSize(vectorSize)
                .build();
    }

    static String describe(ConfigOption<?> option) {
        StringBuilder sb = new StringBuilder();
        for (org.apache.flink.configuration.description.BlockElement b : option.description().getBlocks()) {
            if (b instanceof org.apache.flink.configuration.description.TextElement t) {
                sb.append(t.getFormat());
            }
        }
        return sb.toString();
    }

    /** The {@code --help} text: every option with its default and meaning. */
    /** An option's default as {@code --help} and README's configuration reference show it. */
    public static String defaultText(ConfigOption<?> o) {
        if (!o.hasDefaultValue()) {
            return "(none)";
        }
        if (o.defaultValue() instanceof java.time.Duration d) {
            return org.apache.flink.util.TimeUtils.formatWithHighestUnit(d);
        }
        if (o.defaultValue() instanceof String s) {
            return s;
        }
        return String.valueOf(o.defaultValue()).toLowerCase();
    }

    /** An option's description as plain text. */
    public static String descriptionText(ConfigOption<?> o) {
        return describe(o);
    }

    public static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: discord-rag-indexer [--config FILE] [--key value]...\n");
        sb.append("       discord-rag-indexer verify [--guild ID] [--config FILE] [--key value]...  "
                + "(verify --help)\n\n");
        sb.append("Options (command line over --config file over defaults):\n");
        for (ConfigOption<?> o : ALL) {
            sb.append(String.format("  --%-30s %s%n  %-32s default: %s%n", o.key(),
                    describe(o), "", defaultText(o)));
        }
        sb.append("\nSecrets come from the environment, never from options: the Postgres password from the\n")
                .append("variable named by postgres.password-env, the Qdrant API key from qdrant.api-key-env\n")
                .append("or qdrant.api-key-file.\n");
        return sb.toString();
    }
}
