package io.discordrag.indexer.job.source;

import io.discordrag.indexer.job.config.NotReadyException;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each missing CDC prerequisite is reported with its fix, checked as the job's own role on a real
 * server.
 */
class PostgresPrerequisitesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    private static final String PUB = EmbeddedPostgresExtension.PUBLICATION;
    private static final String ROLE = EmbeddedPostgresExtension.INDEXER_ROLE;

    @AfterEach
    void restore() throws Exception {
        // Re-apply the shipped files: they are idempotent and restore everything a test broke.
        POSTGRES.execute("ALTER ROLE " + ROLE + " WITH REPLICATION");
        for (String file : EmbeddedPostgresExtension.SCHEMA_FILES) {
            POSTGRES.execute(EmbeddedPostgresExtension.readSchemaFile(file));
        }
    }

    private static java.util.List<String> problems() throws Exception {
        try (Connection c = POSTGRES.indexerConnection()) {
            return PostgresPrerequisites.findProblems(c, PUB, "indexer_slot");
        }
    }

    @Test
    void theShippedSchemaSatisfiesEveryPrerequisite() throws Exception {
        assertThat(problems()).isEmpty();
        try (Connection c = POSTGRES.indexerConnection()) {
            PostgresPrerequisites.check(c, PUB, "indexer_slot");
        }
    }

    @Test
    void reportsAMissingPublication() throws Exception {
        POSTGRES.execute("DROP PUBLICATION " + PUB);
        assertThat(problems())
                .singleElement()
                .asString()
                .contains("publication " + PUB + " does not exist")
                .contains("CREATE PUBLICATION");
    }

    @Test
    void reportsAPublicationWithoutMessages() throws Exception {
        POSTGRES.execute("ALTER PUBLICATION " + PUB + " DROP TABLE public.messages");
        assertThat(problems())
                .singleElement()
                .asString()
                .contains("does not include public.messages");
    }

    @Test
    void reportsReplicaIdentityNotFull() throws Exception {
        POSTGRES.execute("ALTER TABLE messages REPLICA IDENTITY DEFAULT");
        assertThat(problems())
                .singleElement()
                .asString()
                .contains("REPLICA IDENTITY DEFAULT")
                .contains("ALTER TABLE messages REPLICA IDENTITY FULL");
    }

    @Test
    void reportsMissingReplicationAndPrivilegesAllAtOnce() throws Exception {
        POSTGRES.execute(
                "ALTER ROLE " + ROLE + " WITH NOREPLICATION",
                "REVOKE SELECT ON users FROM " + ROLE,
                "REVOKE UPDATE (qdrant_point_id) ON messages FROM " + ROLE);
        assertThat(problems()).hasSize(3);
        try (Connection c = POSTGRES.indexerConnection()) {
            assertThatThrownBy(() -> PostgresPrerequisites.check(c, PUB, "indexer_slot"))
                    .isInstanceOf(NotReadyException.class)
                    .hasMessageContaining("may not replicate")
                    .hasMessageContaining("GRANT SELECT ON users")
                    .hasMessageContaining("GRANT UPDATE (qdrant_point_id) ON messages")
                    .hasMessageContaining("deploy/sql/02-cdc.sql");
        }
    }
}
