package io.discordrag.indexer.job;

import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.cli.EmbedOptions;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexerConfigTest {

    @Test
    void defaultsMatchTheDesign() throws Exception {
        IndexerConfig c = IndexerConfig.fromArgs();
        assertThat(c.mode()).isEqualTo(JobMode.STREAMING);
        assertThat(c.sessions().gap()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.sessions().minMessages()).isEqualTo(2);
        assertThat(c.sessions().maxTokens()).isEqualTo(256);
        assertThat(c.embedding().model().id()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(c.embedding().maxBatchSize()).isEqualTo(32);
        assertThat(c.qdrantCollection().collection()).isEqualTo("discord_messages");
        // freshness (README "Freshness"): what a change waits for before it is written
        assertThat(c.get(IndexerOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.sessions().flushDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.sessions().snapshotQuiet()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.qdrantSink(384).flushInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.qdrantSink(384).maxBatchPoints()).isEqualTo(256);
        assertThat(c.postgres().slot()).isEqualTo("discord_indexer");
    }

    @Test
    void argumentsOverrideTheConfigFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("indexer.properties");
        Files.writeString(
                file,
                "session.gap: 30 min\npostgres.host = db.internal\nembedding.model=all-MiniLM-L6-v2-q\n");
        IndexerConfig c =
                IndexerConfig.fromArgs(
                        "--config",
                        file.toString(),
                        "--postgres.host",
                        "other",
                        "--session.min-messages=3",
                        "--mode",
                        "streaming");
        assertThat(c.sessions().gap()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.postgres().host()).isEqualTo("other");
        assertThat(c.sessions().minMessages()).isEqualTo(3);
        assertThat(c.embedding().model().id()).isEqualTo("all-MiniLM-L6-v2-q");
    }

    @Test
    void unknownKeysAndSecretsOnTheCommandLineAreRejectedByName() {
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--sesion.gap", "5 min"))
                .hasMessageContaining("unknown option 'sesion.gap'");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--postgres.password", "hunter2"))
                .hasMessageContaining(
                        "secrets are read from the environment variable named by postgres.password-env")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--qdrant.api-key", "k"))
                .hasMessageContaining("qdrant.api-key-env");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--session.gap"))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--session.min-messages", "0"))
                .hasMessageContaining("session.min-messages");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--postgres.slot", "Bad-Slot"))
                .hasMessageContaining("postgres.slot");
    }

    @Test
    void thePasswordComesFromTheNamedEnvironmentVariableAndIsNeverShown() throws Exception {
        IndexerConfig c = IndexerConfig.fromArgs("--postgres.password-env", "MY_PG_PASSWORD");
        assertThat(c.postgres().toString()).contains("env MY_PG_PASSWORD");
        IndexerConfig withPassword = c.withPostgresPassword("s3cret");
        assertThat(withPassword.postgres().driverPassword()).isEqualTo("s3cret");
        assertThat(withPassword.postgres().toString()).doesNotContain("s3cret");
    }

    @Test
    void theOptionsHelpAndAcceptedKeysAreDerivedFromTheFields() {
        List<String> keys = IndexerOptions.all().stream().map(ConfigOption::key).toList();
        assertThat(keys)
                .as("every ConfigOption field, sorted by key")
                .containsExactlyElementsOf(declaredKeys());
        assertThat(IndexerConfig.commandLine().options()).isEqualTo(IndexerOptions.all());

        String help = IndexerConfig.help();
        int at = -1;
        for (ConfigOption<?> o : IndexerOptions.all()) {
            int next = help.indexOf("--" + o.key() + " ");
            assertThat(next)
                    .as("--help lists %s after the option before it", o.key())
                    .isGreaterThan(at);
            assertThat(help.substring(next)).contains("default: " + CommandLine.defaultText(o));
            at = next;
            if (o.hasDefaultValue()) { // the default, as documented, is accepted under the
                // option's key
                assertThat(IndexerConfig.fromArgs("--" + o.key(), CommandLine.defaultText(o)))
                        .isNotNull();
            }
        }
        assertThat(help)
                .contains("default: 15 min")
                .contains("default: discord_messages")
                .contains("default: streaming");
    }

    private static List<String> declaredKeys() {
        try {
            return List.copyOf(BadOptionValues.declaredKeys());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oldSpellingsNameTheKeyToUse() {
        Map<String, String> renamed =
                Map.of(
                        "--qdrant-host",
                        "--qdrant.host",
                        "--qdrant-port",
                        "--qdrant.port",
                        "--qdrant-tls",
                        "--qdrant.tls",
                        "--qdrant-api-key-file",
                        "--qdrant.api-key-file",
                        "--collection",
                        "--qdrant.collection",
                        "--model",
                        "--embedding.model",
                        "--batch-size",
                        "--embedding.batch.max-size");
        renamed.forEach(
                (old, key) ->
                        assertThatThrownBy(() -> IndexerConfig.fromArgs(old, "x"))
                                .hasMessage(old + " is no longer an option: use " + key));
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--qdrant-tls"))
                .hasMessageContaining("use --qdrant.tls");
    }

    @Test
    void theEmbedCommandsSharedKeysAreTheJobsOptions() {
        assertThat(EmbedOptions.MODEL.key()).isEqualTo(IndexerOptions.EMBEDDING_MODEL.key());
        assertThat(EmbedOptions.MODEL.defaultValue())
                .isEqualTo(IndexerOptions.EMBEDDING_MODEL.defaultValue());
        assertThat(EmbedOptions.BATCH_MAX_SIZE.key())
                .isEqualTo(IndexerOptions.EMBEDDING_BATCH_MAX_SIZE.key());
        assertThat(EmbedOptions.BATCH_MAX_SIZE.defaultValue())
                .isEqualTo(IndexerOptions.EMBEDDING_BATCH_MAX_SIZE.defaultValue());
    }

    @ParameterizedTest(name = "--{0} {1}")
    @MethodSource("io.discordrag.indexer.job.BadOptionValues#everyOption")
    void everyOptionRefusesABadValueNamingTheKey(String key, String bad) {
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--" + key, bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
    }
}
