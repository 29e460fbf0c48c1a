package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code EMBED(text)} in Flink SQL returns the model's ARRAY&lt;FLOAT&gt; and NULL for NULL. */
class EmbedFunctionITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @Test
    void embedsInSql() throws Exception {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.createTemporarySystemFunction("EMBED", new EmbedFunction());
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tEnv.executeSql(
                                "SELECT t, EMBED(t) FROM (VALUES ('This is an example sentence'), (CAST(NULL AS STRING))) AS v(t)")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize(2);
        Row example = rows.stream().filter(r -> r.getField(0) != null).findFirst().orElseThrow();
        Float[] vector = (Float[]) example.getField(1);
        assertThat(vector).hasSize(384);
        assertThat(vector[0]).isCloseTo(0.0677f, within(1e-3f));
        Row nullRow = rows.stream().filter(r -> r.getField(0) == null).findFirst().orElseThrow();
        assertThat(nullRow.getField(1)).isNull();
        assertThat(EmbeddingModelPool.loadedModels()).as("released after the query").isZero();
    }
}
