package io.discordrag.indexer.testing.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import javax.sql.DataSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * A real PostgreSQL server (embedded binaries, version {@link #POSTGRES_MAJOR}) started with {@code
 * wal_level=logical}, fresh per test class, with the project's production schema ({@code
 * deploy/sql/*.sql}) applied to database {@link #DATABASE}.
 *
 * <p>Register it as a static field: {@code @RegisterExtension static final
 * EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();}. Tests connect either as
 * the superuser ({@link #adminUrl()}, {@link #adminConnection()}) or, as the job does in
 * production, as the least-privileged replication role {@link #INDEXER_ROLE} with a random password
 * ({@link #indexerPassword()}), which it must give: only the superuser is trusted, every other role
 * logs in with scram-sha-256. {@link #truncateAll()} empties the tables between tests cheaply.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback {

    public static final int POSTGRES_MAJOR = 16;
    public static final String DATABASE = "discord";
    public static final String ADMIN_USER = "postgres";
    public static final String INDEXER_ROLE = "discord_indexer";
    public static final String PUBLICATION = "discord_indexer_pub";

    /**
     * The environment variable the build sets to the indexer role's password (surefire and
     * failsafe, see the parent pom), so tests give it the way production does: by environment.
     * Without it (a test run from an IDE) the password is random and tests set it programmatically.
     */
    public static final String PASSWORD_ENV = "DISCORD_RAG_TEST_PG_PASSWORD";

    /** Whether the indexer password comes from {@link #PASSWORD_ENV}. */
    public static boolean passwordFromEnvironment() {
        String value = System.getenv(PASSWORD_ENV);
        return value != null && !value.isEmpty();
    }

    /** The schema files, in the order users apply them. */
    public static final List<String> SCHEMA_FILES = List.of("01-schema.sql", "02-cdc.sql");

    private static final String SQL_RESOURCE_DIR = "/io/discordrag/indexer/testing/sql/";

    private EmbeddedPostgres postgres;
    private String indexerPassword;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    /** Starts the server and applies the schema; called by JUnit, public for use outside JUnit. */
    public void start() throws IOException, SQLException {
        postgres =
                EmbeddedPostgres.builder()
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("max_replication_slots", "20")
                        .setServerConfig("max_wal_senders", "20")
                        .setServerConfig("max_connections", "100")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        indexerPassword =
                passwordFromEnvironment()
                        ? System.getenv(PASSWORD_ENV)
                        : HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            for (String file : SCHEMA_FILES) {
                s.execute(readSchemaFile(file));
            }
            // The schema never carries a password; production sets it from a secret store.
            s.execute("ALTER ROLE " + INDEXER_ROLE + " PASSWORD '" + indexerPassword + "'");
            requirePasswords(s);
        }
    }

    /**
     * Every role but the superuser must log in with its password (scram-sha-256), as on a real
     * server: the embedded server trusts local connections by default, under which a process that
     * lacks the password would go unnoticed.
     */
    private static void requirePasswords(Statement s) throws SQLException, IOException {
        Path hba = Path.of(single(s, "SHOW hba_file"));
        Files.writeString(
                hba,
                String.join(
                        "\n",
                        "# written by EmbeddedPostgresExtension: only the test superuser is trusted",
                        "local all " + ADMIN_USER + " trust",
                        "host all " + ADMIN_USER + " 127.0.0.1/32 trust",
                        "host all " + ADMIN_USER + " ::1/128 trust",
                        "local replication " + ADMIN_USER + " trust",
                        "host replication " + ADMIN_USER + " 127.0.0.1/32 trust",
                        "host replication " + ADMIN_USER + " ::1/128 trust",
                        "local all all scram-sha-256",
                        "host all all 127.0.0.1/32 scram-sha-256",
                        "host all all ::1/128 scram-sha-256",
                        "local replication all scram-sha-256",
                        "host replication all 127.0.0.1/32 scram-sha-256",
                        "host replication all ::1/128 scram-sha-256",
                        ""));
        s.execute("SELECT pg_reload_conf()");
    }

    public void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /**
     * Restarts the server with its data (tables, replication slots, WAL): a fast shutdown, which
     * drops every connection including replication ones, {@code down} with nothing listening, then
     * a start on the same port with the same settings — what a client sees when PostgreSQL
     * restarts. Uses the server's own {@code pg_ctl}.
     */
    public void restart(Duration down) throws Exception {
        String bin;
        Path data;
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            bin = single(s, "SELECT setting FROM pg_config WHERE name = 'BINDIR'");
            data = Path.of(single(s, "SHOW data_directory"));
        }
        // postmaster.opts holds the server's own command line: start again with the same options.
        List<String> opts = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"([^\"]*)\"")
                        .matcher(Files.readString(data.resolve("postmaster.opts")));
        while (m.find()) {
            opts.add(m.group(1));
        }
        String options =
                opts.stream()
                        .skip(1)
                        .filter(o -> !o.equals("-D") && !o.equals(data.toString()))
                        .map(o -> o.startsWith("-") ? o : "'" + o + "'")
                        .collect(java.util.stream.Collectors.joining(" "));
        pgCtl(bin, "-D", data.toString(), "-m", "fast", "-w", "stop");
        Thread.sleep(down.toMillis());
        pgCtl(bin, "-D", data.toString(), "-w", "-t", "60", "-o", options, "start");
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void pgCtl(String bin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // pg_ctl refuses to run as root; like the embedded server's own start, run it in a user
            // namespace
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(Path.of(bin, "pg_ctl").toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile("pg_ctl", ".log");
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        "pg_ctl " + String.join(" ", args) + " failed: " + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The text of one of {@link #SCHEMA_FILES}, exactly as shipped in {@code deploy/sql}. */
    public static String readSchemaFile(String file) {
        try (InputStream in =
                EmbeddedPostgresExtension.class.getResourceAsStream(SQL_RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Schema file " + file + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return running().getPort();
    }

    public String database() {
        return DATABASE;
    }

    /** JDBC URL of {@link #DATABASE}, without credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + DATABASE;
    }

    public String adminUrl() {
        return jdbcUrl() + "?user=" + ADMIN_USER;
    }

    public String indexerPassword() {
        running();
        return indexerPassword;
    }

    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(adminUrl());
    }

    public Connection indexerConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", INDEXER_ROLE);
        props.setProperty("password", indexerPassword());
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** A DataSource for {@link #DATABASE} as the superuser. */
    public DataSource adminDataSource() {
        return running().getDatabase(ADMIN_USER, DATABASE);
    }

    /** Runs statements as the superuser. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Empties every table of the schema; replication slots are left to their tests. */
    public void truncateAll() throws SQLException {
        execute("TRUNCATE users, channels, messages, message_sessions");
    }

    private EmbeddedPostgres running() {
        if (postgres == null) {
            throw new IllegalStateException(
                    "Embedded PostgreSQL is not running: register the extension as a static @RegisterExtension field");
        }
        return postgres;
    }
}
