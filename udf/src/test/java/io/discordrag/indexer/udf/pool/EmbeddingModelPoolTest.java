package io.discordrag.indexer.udf.pool;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.ModelRegistry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reference counting of the pool: one load per options, released by the last user or its owner. */
class EmbeddingModelPoolTest {

    @Test
    void sharesOneModelPerOptionsAndReleasesItWithTheLastLease() throws Exception {
        EmbeddingOptions options =
                EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2_Q).build();
        long loadsBefore = EmbeddingModelPool.totalLoads();
        int loadedBefore = EmbeddingModelPool.loadedModels();
        EmbeddingModelPool.Lease first = EmbeddingModelPool.acquire(options);
        EmbeddingModelPool.Lease second = EmbeddingModelPool.acquire(options);
        assertThat(second.model()).isSameAs(first.model());
        assertThat(EmbeddingModelPool.totalLoads()).isEqualTo(loadsBefore + 1);
        assertThat(EmbeddingModelPool.loadedModels()).isEqualTo(loadedBefore + 1);
        assertThat(second.batcher().submit("hello").get().vector()).hasSize(384);

        first.close();
        first.close(); // idempotent: must not release the second user's hold
        assertThat(EmbeddingModelPool.loadedModels()).isEqualTo(loadedBefore + 1);
        second.close();
        assertThat(EmbeddingModelPool.loadedModels()).isEqualTo(loadedBefore);

        try (EmbeddingModelPool.Lease again = EmbeddingModelPool.acquire(options)) {
            assertThat(EmbeddingModelPool.totalLoads())
                    .as("reloaded after release")
                    .isEqualTo(loadsBefore + 2);
            assertThat(again.batcher().submit("hello again").get().vector()).hasSize(384);
        }
    }

    @Test
    void releaseAllOfAnOwnerReleasesOnlyTheLeasesThatOwnerStillHolds() throws Exception {
        EmbeddingOptions options =
                EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2_Q).build();
        int loadedBefore = EmbeddingModelPool.loadedModels();
        Object job = new Object();
        Object otherJob = new Object();
        EmbeddingModelPool.Lease closedByItsUser = EmbeddingModelPool.acquire(options, job);
        EmbeddingModelPool.Lease leakedByTheJob = EmbeddingModelPool.acquire(options, job);
        EmbeddingModelPool.Lease otherJobs = EmbeddingModelPool.acquire(options, otherJob);
        EmbeddingModelPool.Lease unowned = EmbeddingModelPool.acquire(options);
        closedByItsUser.close();

        EmbeddingModelPool.releaseAll(job);
        assertThat(EmbeddingModelPool.loadedModels())
                .as("still held by the other job and the unowned lease")
                .isEqualTo(loadedBefore + 1);
        assertThat(unowned.model().tokenizer().countTokens("still open")).isPositive();
        leakedByTheJob.close(); // already released by releaseAll: must not count twice
        assertThat(otherJobs.batcher().submit("still open").get().vector()).hasSize(384);

        EmbeddingModelPool.releaseAll(otherJob);
        assertThat(EmbeddingModelPool.loadedModels()).isEqualTo(loadedBefore + 1);
        unowned.close();
        assertThat(EmbeddingModelPool.loadedModels()).isEqualTo(loadedBefore);
        EmbeddingModelPool.releaseAll(job); // nothing left: a no-op
    }
}
