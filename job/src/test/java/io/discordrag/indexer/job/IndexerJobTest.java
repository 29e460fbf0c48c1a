package io.discordrag.indexer.job;

import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line's exit codes and errors: bad options exit 2, an environment that is not ready
 * exits 1, and both print one error naming the fix — no stack trace — before any Flink job is
 * built.
 */
@Timeout(
        value = 5,
        unit = TimeUnit.MINUTES) // a refusal that regressed would start a streaming job that never
// ends
class IndexerJobTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private static IndexerConfig config(Map<String, String> overrides) {
        Map<String, String> options = new HashMap<>();
        options.put("postgres.host", POSTGRES.host());
        options.put("postgres.port", String.valueOf(POSTGRES.port()));
        options.put("postgres.database", POSTGRES.database());
        options.put("postgres.user", EmbeddedPostgresExtension.INDEXER_ROLE);
        options.put("postgres.publication", EmbeddedPostgresExtension.PUBLICATION);
        options.putAll(overrides);
        return IndexerConfig.fromMap(options).withPostgresPassword(POSTGRES.indexerPassword());
    }

    @Test
    void helpPrintsTheOptionsAndExitsZero() throws Exception {
        assertThat(IndexerJob.run(new String[] {"--help"}, out, err)).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8))
                .contains("qdrant.collection")
                .contains("backfill.split-rows");
    }

    @Test
    void anUnknownOptionExitsTwoWithOneLine() throws Exception {
        assertThat(IndexerJob.run(new String[] {"--qdrant.colection", "x"}, out, err)).isEqualTo(2);
        assertThat(err())
                .startsWith("discord-rag-indexer: ")
                .contains("qdrant.colection")
                .doesNotContain("\tat ");
        assertThat(err().lines()).hasSize(1);
    }

    @Test
    void aDatabaseMissingAPrerequisiteExitsOneWithTheFixAndNoStackTrace() throws Exception {
        POSTGRES.execute("ALTER TABLE messages REPLICA IDENTITY DEFAULT");
        try {
            assertThat(IndexerJob.run(config(Map.of()), err)).isEqualTo(1);
        } finally {
            POSTGRES.execute("ALTER TABLE messages REPLICA IDENTITY FULL");
        }
        assertThat(err())
                .startsWith("discord-rag-indexer: PostgreSQL is not ready for change data capture:")
                .contains("ALTER TABLE messages REPLICA IDENTITY FULL")
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void anUnreachableQdrantExitsOneNamingTheCollection() throws Exception {
        IndexerConfig noQdrant =
                config(
                        Map.of(
                                "qdrant.host",
                                "127.0.0.1",
                                "qdrant.port",
                                String.valueOf(closedPort()),
                                "qdrant.collection",
                                "unreachable_test"));
        assertThat(IndexerJob.run(noQdrant, err)).isEqualTo(1);
        assertThat(err())
                .startsWith(
                        "discord-rag-indexer: Cannot prepare Qdrant collection 'unreachable_test': UNAVAILABLE")
                .doesNotContain("\tat ");
    }

    @Test
    void aDatabaseThatIsNotListeningExitsOneNamingHostAndPort() throws Exception {
        int closedPort = closedPort();
        IndexerConfig nowhere = config(Map.of("postgres.port", String.valueOf(closedPort)));
        assertThat(IndexerJob.run(nowhere, err)).isEqualTo(1);
        assertThat(err())
                .startsWith(
                        "discord-rag-indexer: Cannot connect to PostgreSQL at jdbc:postgresql://"
                                + POSTGRES.host()
                                + ":"
                                + closedPort
                                + "/")
                .contains("refused")
                .doesNotContain("\tat ");
    }

    @Test
    void aClientWithoutThePasswordVariableExitsOneNamingIt() throws Exception {
        Map<String, String> options = new HashMap<>();
        options.put("postgres.host", POSTGRES.host());
        options.put("postgres.port", String.valueOf(POSTGRES.port()));
        options.put("postgres.password-env", "DISCORD_RAG_TEST_VARIABLE_NOBODY_SETS");
        assertThat(IndexerJob.run(IndexerConfig.fromMap(options), err)).isEqualTo(1);
        assertThat(err())
                .startsWith(
                        "discord-rag-indexer: The PostgreSQL password is read from the environment"
                                + " variable DISCORD_RAG_TEST_VARIABLE_NOBODY_SETS")
                .doesNotContain("\tat ");
        assertThat(err().lines()).hasSize(1);
    }

    /** A port nothing listens on: one the system just handed out and that was closed again. */
    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
