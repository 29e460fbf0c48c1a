package io.discordrag.indexer.job.config;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the job reads and writes Postgres: server, database, the indexer role, its replication slot
 * and the publication. Immutable and serializable. The password is never an option value and never
 * part of the job: unless set programmatically (tests and the demo, which run in one JVM), only the
 * name of its environment variable is kept ({@code postgres.password-env}, default {@value
 * #DEFAULT_PASSWORD_ENV}), and every client library gets {@link #driverPassword()}, a reference
 * that {@link PostgresPassword} resolves in the process that connects (client, JobManager,
 * TaskManager). {@link #toString()} never shows a password.
 *
 * <p>Keys: {@code postgres.host} (localhost), {@code postgres.port} (5432), {@code
 * postgres.database} (discord), {@code postgres.user} (discord_indexer), {@code
 * postgres.password-env} (POSTGRES_PASSWORD), {@code postgres.slot} (discord_indexer), {@code
 * postgres.publication} (discord_indexer_pub).
 */
public final class PostgresOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_DATABASE = "discord";
    public static final String DEFAULT_USER = "discord_indexer";
    public static final String DEFAULT_PASSWORD_ENV = "POSTGRES_PASSWORD";
    public static final String DEFAULT_SLOT = "discord_indexer";
    public static final String DEFAULT_PUBLICATION = "discord_indexer_pub";

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String passwordEnv;
    private final String password;
    private final String slot;
    private final String publication;

    private PostgresOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.passwordEnv = b.passwordEnv;
        this.password = b.password;
        this.slot = b.slot;
        this.publication = b.publication;
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

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public String slot() {
        return slot;
    }

    public String publication() {
        return publication;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /**
     * What the job hands every PostgreSQL client library as the password: the one set
     * programmatically, else the reference {@code ${env:<postgres.password-env>}}, which the job's
     * driver resolves in the process that connects ({@link PostgresPasswordPlugin}).
     */
    public String driverPassword() {
        return password != null ? password : PostgresPassword.reference(passwordEnv);
    }

    /**
     * Why this process could not log in, if it lacks the password: the message naming the variable,
     * or empty when the password is set programmatically or its variable is set here.
     */
    public Optional<String> missingPassword() {
        return missingPassword(System.getenv());
    }

    Optional<String> missingPassword(Map<String, String> environment) {
        if (password != null) {
            return Optional.empty();
        }
        String value = environment.get(passwordEnv);
        return value == null || value.isEmpty()
                ? Optional.of(PostgresPassword.missing(passwordEnv))
                : Optional.empty();
    }

    /**
     * For operators, in {@code open()}: fails the job once, without restarts, when this process
     * lacks the password (a deployment error that a restart cannot fix).
     */
    public void requirePassword() {
        PostgresPassword.resolve(driverPassword(), System.getenv());
    }

    /** A new JDBC connection as the indexer role. */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", driverPassword());
        props.setProperty("ApplicationName", "discord-rag-indexer");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresOptions p
                && host.equals(p.host)
                && port == p.port
                && database.equals(p.database)
                && user.equals(p.user)
                && Objects.equals(passwordEnv, p.passwordEnv)
                && Objects.equals(password, p.password)
                && slot.equals(p.slot)
                && publication.equals(p.publication);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, database, user, slot, publication);
    }

    @Override
    public String toString() {
        return "PostgresOptions{"
                + user
                + "@"
                + host
                + ":"
                + port
                + "/"
                + database
                + ", slot="
                + slot
                + ", publication="
                + publication
                + ", password="
                + (password != null ? "<set>" : "env " + passwordEnv)
                + "}";
    }

    /** Builder with validated defaults. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String database = DEFAULT_DATABASE;
        private String user = DEFAULT_USER;
        private String passwordEnv = DEFAULT_PASSWORD_ENV;
        private String password;
        private String slot = DEFAULT_SLOT;
        private String publication = DEFAULT_PUBLICATION;

        private Builder() {}

        public Builder host(String host) {
            this.host = nonBlank(host, "postgres.host");
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("postgres.port must be 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            this.database = nonBlank(database, "postgres.database");
            return this;
        }

        public Builder user(String user) {
            this.user = nonBlank(user, "postgres.user");
            return this;
        }

        public Builder passwordEnv(String passwordEnv) {
            this.passwordEnv = nonBlank(passwordEnv, "postgres.password-env");
            return this;
        }

        /** For programmatic use only (tests, the demo): never take this from a command line. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password cannot be null");
            return this;
        }

        public Builder slot(String slot) {
            nonBlank(slot, "postgres.slot");
            if (!slot.matches("[a-z0-9_]{1,63}")) {
                throw new IllegalArgumentException(
                        "postgres.slot must be 1-63 characters of a-z, 0-9 and _ "
                                + "(Postgres replication slot rules), got '"
                                + slot
                                + "'");
            }
            this.slot = slot;
            return this;
        }

        public Builder publication(String publication) {
            this.publication = nonBlank(publication, "postgres.publication");
            return this;
        }

        public PostgresOptions build() {
            return new PostgresOptions(this);
        }

        private static String nonBlank(String value, String key) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(key + " must not be blank");
            }
            return value;
        }
    }
}
