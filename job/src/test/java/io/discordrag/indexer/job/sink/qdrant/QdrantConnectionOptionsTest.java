package io.discordrag.indexer.job.sink.qdrant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connection options: validation, API key sources, and the key never shown. */
class QdrantConnectionOptionsTest {

    @Test
    void defaults() {
        QdrantConnectionOptions o = QdrantConnectionOptions.builder().build();
        assertThat(o.host()).isEqualTo("localhost");
        assertThat(o.port()).isEqualTo(6334);
        assertThat(o.tls()).isFalse();
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        assertThatThrownBy(() -> QdrantConnectionOptions.builder().port(0))
                .hasMessageContaining("qdrant.port");
        assertThatThrownBy(() -> QdrantConnectionOptions.builder().host(" "))
                .hasMessageContaining("qdrant.host");
        assertThatThrownBy(() -> QdrantConnectionOptions.builder().timeout(java.time.Duration.ZERO))
                .hasMessageContaining("qdrant.timeout");
    }

    @Test
    void readsTheKeyFromTheEnvironmentOrAFileAndNeverPrintsIt(@TempDir Path dir) throws Exception {
        QdrantConnectionOptions fromEnv =
                QdrantConnectionOptions.builder().apiKeyEnv("MY_KEY").build();
        assertThat(fromEnv.resolveApiKey(Map.of("MY_KEY", " s3cret \n"))).contains("s3cret");
        assertThat(fromEnv.resolveApiKey(Map.of())).isEmpty();

        Path file = dir.resolve("key");
        Files.writeString(file, "from-file\n");
        QdrantConnectionOptions fromFile =
                QdrantConnectionOptions.builder().apiKeyFile(file.toString()).build();
        assertThat(fromFile.resolveApiKey(Map.of("QDRANT_API_KEY", "env"))).contains("from-file");
        assertThat(fromFile.toString()).doesNotContain("from-file").contains("file " + file);
        assertThat(fromEnv.toString()).doesNotContain("s3cret").contains("env MY_KEY");
    }

    @Test
    void anEmptyKeyFileIsAClearError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty");
        Files.writeString(file, "  \n");
        QdrantConnectionOptions o =
                QdrantConnectionOptions.builder().apiKeyFile(file.toString()).build();
        assertThatThrownBy(() -> o.resolveApiKey(Map.of())).hasMessageContaining("is empty");
    }

    @Test
    void collectionOptionsValidateNames() {
        assertThatThrownBy(() -> QdrantCollectionOptions.builder().collection("a/b"))
                .hasMessageContaining("qdrant.collection");
        assertThatThrownBy(
                        () -> QdrantCollectionOptions.builder().collection("x").alias("x").build())
                .hasMessageContaining("qdrant.alias");
        assertThat(QdrantCollectionOptions.builder().build().readName())
                .isEqualTo("discord_messages");
    }
}
