package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.flink.EmbeddingErrors.Kind;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which embedding errors are retried and which skip their record at once. */
class EmbeddingErrorsTest {

    @Test
    void aRecordThatCannotBeEmbeddedIsNotRetried() {
        // what EmbeddingAsyncFunction raises when the extractor throws
        assertThat(
                        EmbeddingErrors.classify(
                                new IllegalArgumentException(
                                        "Cannot extract the text to embed from X: boom",
                                        new RuntimeException("boom"))))
                .isEqualTo(Kind.UNEMBEDDABLE);
        // what MicroBatcher raises for a null text or a text the tokenizer rejects
        assertThat(
                        EmbeddingErrors.classify(
                                new IllegalArgumentException("text to embed must not be null")))
                .isEqualTo(Kind.UNEMBEDDABLE);
        assertThat(
                        EmbeddingErrors.isRetryable(
                                new CompletionException(
                                        new IllegalArgumentException(
                                                "The tokenizer of model m cannot process this text: bad"))))
                .as("found through the cause chain")
                .isFalse();
    }

    @Test
    void timeoutsFailedInferencesAndUnknownErrorsAreRetried() {
        assertThat(
                        EmbeddingErrors.classify(
                                new TimeoutException("Embedding with model m timed out")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(
                        EmbeddingErrors.classify(
                                new IllegalStateException(
                                        "Inference of model m failed on a batch of 8",
                                        new RuntimeException("ort"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(
                        EmbeddingErrors.classify(
                                new IllegalStateException(
                                        "embedding batcher of model m is closed")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(
                        EmbeddingErrors.isRetryable(
                                new UncheckedIOException(new java.io.IOException("disk"))))
                .as("unknown: retried, then the job fails")
                .isTrue();
        assertThat(EmbeddingErrors.isRetryable(new ExecutionException(new OutOfMemoryError())))
                .isTrue();
    }

    @Test
    void theOutermostKnownErrorDecides() {
        // a closed tokenizer seen while tokenizing one text: the text is not to blame
        assertThat(
                        EmbeddingErrors.classify(
                                new IllegalStateException(
                                        "released", new IllegalArgumentException("inner"))))
                .isEqualTo(Kind.TRANSIENT);
    }
}
