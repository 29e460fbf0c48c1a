package io.discordrag.indexer.job.e2e;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.StreamingPipeline;
import io.discordrag.indexer.job.session.PointIds;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantExtension;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The PostgreSQL password reaches the job only by the environment (README "Secrets"): the test
 * server makes the indexer role log in with it (scram-sha-256), Flink CDC's logged Debezium
 * configuration shows a reference instead of it, and a process without the variable fails the job
 * once, naming it, instead of restarting forever.
 */
class SecretsITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = IndexerFixture.miniCluster();

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension();

    @RegisterExtension static final QdrantExtension QDRANT = new QdrantExtension();

    private IndexerFixture fx;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        assumeThat(EmbeddedPostgresExtension.passwordFromEnvironment())
                .as("the build sets " + EmbeddedPostgresExtension.PASSWORD_ENV + " (parent pom)")
                .isTrue();
        fx = IndexerFixture.forTest(POSTGRES, QDRANT, test);
        fx.user(1, "alice", "Alice");
        fx.channel(11, 1, "general");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void theJobLogsInWithThePasswordFromTheEnvironmentAndNoLogLineShowsIt() throws Exception {
        String password = POSTGRES.indexerPassword();
        try (LogCapture cdc = LogCapture.of("org.apache.flink.cdc");
                LogCapture debezium = LogCapture.of("io.debezium")) {
            fx.start(); // options name the variable, never the password
            fx.message(1, 1, 11, 1, "is the deploy done?", Instant.parse("2024-05-01T10:00:00Z"));
            fx.message(2, 1, 11, 1, "yes, an hour ago", Instant.parse("2024-05-01T10:01:00Z"));
            fx.awaitPointIds(Set.of(PointIds.forChunk(1, 11, 1).toString()));

            // what a failure prints must not show the password either: masked copies of the lines
            List<String> cdcLines = masked(cdc.lines(), password);
            List<String> debeziumLines = masked(debezium.lines(), password);
            assertThat(cdcLines)
                    .as("Flink CDC logs its Debezium configuration, with the reference")
                    .anyMatch(
                            l ->
                                    l.contains("PostgresConnectorConfig is")
                                            && l.contains("database.password=${env:"));
            assertThat(cdcLines).noneMatch(l -> l.contains(MASK));
            assertThat(debeziumLines).noneMatch(l -> l.contains(MASK));
        }
    }

    private static final String MASK = "<the password>";

    private static List<String> masked(List<String> lines, String password) {
        return lines.stream().map(l -> l.replace(password, MASK)).toList();
    }

    @Test
    void aTaskManagerWithoutThePasswordFailsTheJobOnceNamingTheVariable() throws Exception {
        Map<String, String> options = new HashMap<>(fx.options());
        options.put("postgres.password-env", "DISCORD_RAG_TEST_VARIABLE_NOBODY_SETS");
        IndexerConfig config = fx.config(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(1000); // as the job does: restarts without end by default
        // the pipeline alone: the client's own check (IndexerJob) would refuse before submitting
        StreamingPipeline.build(env, config, 384);
        JobClient job = env.executeAsync("missing-password");

        Throwable failure =
                catchThrowable(() -> job.getJobExecutionResult().get(3, TimeUnit.MINUTES));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .as("failed without restarts")
                .isPresent();
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("environment variable DISCORD_RAG_TEST_VARIABLE_NOBODY_SETS");
    }
}
