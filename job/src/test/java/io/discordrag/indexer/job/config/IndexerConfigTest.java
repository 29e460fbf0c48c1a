package io.discordrag.indexer.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(c.get(IndexerOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.qdrantSink(384).maxBatchPoints()).isEqualTo(256);
        assertThat(c.postgres().slot()).isEqualTo("discord_indexer");
    }

    @Test
    void argumentsOverrideTheConfigFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("indexer.properties");
        Files.writeString(file, "session.gap: 30 min\npostgres.host = db.internal\nembedding.model=all-MiniLM-L6-v2-q\n");
        IndexerConfig c = IndexerConfig.fromArgs("--config", file.toString(), "--postgres.host", "other",
                "--session.min-messages=3", "--mode", "streaming");
        assertThat(c.sessions().gap()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.postgres().host()).isEqualTo("other");
        assertThat(c.sessions().minMessages()).isEqualTo(3);
        assertThat(c.embedding().model().id()).isEqualTo("all-MiniLM-L6-v2-q");
    }

    @Test
    void unknownKeysAndSecretsOnTheCommandLineAreRejectedByName() {
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--sesion.gap", "5 min"))
                .hasMessageContaining("Unknown option 'sesion.gap'");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--postgres.password", "hunter2"))
                .hasMessageContaining("secrets are read from the environment variable named by postgres.password-env")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--qdrant.api-key", "k")).hasMessageContaining("qdrant.api-key-env");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--session.gap")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--session.min-messages", "0").sessions())
                .hasMessageContaining("session.min-messages");
        assertThatThrownBy(() -> IndexerConfig.fromArgs("--postgres.slot", "Bad-Slot").postgres())
                .hasMessageContaining("postgres.slot");
    }

    @Test
    void thePasswordComesFromTheNamedEnvironmentVariableAndIsNeverShown() throws Exception {
        IndexerConfig c = IndexerConfig.fromArgs("--postgres.password-env", "MY_PG_PASSWORD");
        assertThat(c.postgres().toString()).contains("env MY_PG_PASSWORD");
        IndexerConfig withPassword = c.withPostgresPassword("s3cret");
        assertThat(withPassword.postgres().password()).isEqualTo("s3cret");
        assertThat(withPassword.postgres().toString()).doesNotContain("s3cret");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        String help = IndexerConfig.help();
        for (ConfigOption<?> o : IndexerOptions.ALL) {
            assertThat(help).contains("--" + o.key());
        }
        assertThat(help).contains("default: 15 min").contains("default: discord_messages").contains("default: streaming");
    }
}
