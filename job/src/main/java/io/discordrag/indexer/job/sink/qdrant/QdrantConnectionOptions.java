package io.discordrag.indexer.job.sink.qdrant;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to reach Qdrant over gRPC. The API key itself is never held here (so it is never
 * serialised into a job graph or printed): only where to read it — an environment variable or a
 * file — and it is read on the machine that connects.
 *
 * <p>Keys: {@code qdrant.host} (default localhost), {@code qdrant.port} (6334), {@code qdrant.tls}
 * (false), {@code qdrant.api-key-env} (QDRANT_API_KEY), {@code qdrant.api-key-file} (none), {@code
 * qdrant.timeout} (30 s).
 */
public final class QdrantConnectionOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 6334;
    public static final String DEFAULT_API_KEY_ENV = "QDRANT_API_KEY";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String host;
    private final int port;
    private final boolean tls;
    private final String apiKeyEnv;
    private final String apiKeyFile;
    private final Duration timeout;

    private QdrantConnectionOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.apiKeyEnv = b.apiKeyEnv;
        this.apiKeyFile = b.apiKeyFile;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    /** Deadline of every call. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The API key, read now from {@code qdrant.api-key-file} if set, else from the environment
     * variable {@code qdrant.api-key-env}; empty when neither holds one.
     */
    public Optional<String> resolveApiKey() {
        return resolveApiKey(System.getenv());
    }

    Optional<String> resolveApiKey(Map<String, String> environment) {
        if (apiKeyFile != null) {
            try {
                String key = Files.readString(Path.of(apiKeyFile), StandardCharsets.UTF_8).strip();
                if (key.isEmpty()) {
                    throw new IllegalArgumentException(
                            "qdrant.api-key-file " + apiKeyFile + " is empty");
                }
                return Optional.of(key);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read qdrant.api-key-file " + apiKeyFile, e);
            }
        }
        String key = apiKeyEnv == null ? null : environment.get(apiKeyEnv);
        return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.strip());
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QdrantConnectionOptions)) {
            return false;
        }
        QdrantConnectionOptions that = (QdrantConnectionOptions) o;
        return port == that.port
                && tls == that.tls
                && host.equals(that.host)
                && Objects.equals(apiKeyEnv, that.apiKeyEnv)
                && Objects.equals(apiKeyFile, that.apiKeyFile)
                && timeout.equals(that.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, tls, apiKeyEnv, apiKeyFile, timeout);
    }

    /** Names where the key comes from, never the key. */
    @Override
    public String toString() {
        return "QdrantConnectionOptions{"
                + (tls ? "https" : "http")
                + "://"
                + host
                + ":"
                + port
                + ", apiKey="
                + (apiKeyFile != null ? "file " + apiKeyFile : "env " + apiKeyEnv)
                + ", timeout="
                + timeout
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private boolean tls;
        private String apiKeyEnv = DEFAULT_API_KEY_ENV;
        private String apiKeyFile;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {}

        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("qdrant.host must not be blank");
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(
                        "qdrant.port must be between 1 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Environment variable holding the API key; null for none. */
        public Builder apiKeyEnv(String apiKeyEnv) {
            this.apiKeyEnv = apiKeyEnv == null || apiKeyEnv.isBlank() ? null : apiKeyEnv;
            return this;
        }

        /**
         * File holding the API key (wins over the environment variable); null for none. It must be
         * readable here: the client that builds the job reads it too (to prepare the collection).
         */
        public Builder apiKeyFile(String apiKeyFile) {
            this.apiKeyFile = apiKeyFile == null || apiKeyFile.isBlank() ? null : apiKeyFile;
            org.apache.flink.util.Preconditions.checkArgument(
                    this.apiKeyFile == null || Files.isReadable(Path.of(this.apiKeyFile)),
                    "qdrant.api-key-file %s cannot be read",
                    this.apiKeyFile);
            return this;
        }

        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "qdrant.timeout cannot be null");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException(
                        "qdrant.timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public QdrantConnectionOptions build() {
            return new QdrantConnectionOptions(this);
        }
    }
}
