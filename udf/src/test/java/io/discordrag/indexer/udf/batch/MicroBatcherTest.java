package io.discordrag.indexer.udf.batch;

import io.discordrag.indexer.udf.model.ChatTexts;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.Tokenized;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.discordrag.indexer.udf.model.VectorMath.cosine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Micro-batching: concurrent requests are coalesced, grouped by length, and each gets its own
 * vector. Uses the fp32 model: the int8 models quantise activations dynamically over the whole
 * batch tensor, so their vectors depend slightly on the batch a text lands in (cosine about 0.99,
 * measured here).
 */
class MicroBatcherTest {

    private static final int NO_TOKEN_CAP = Integer.MAX_VALUE;

    private static EmbeddingModel model;

    @BeforeAll
    static void load() {
        model = EmbeddingModel.load(ModelRegistry.builtIn(ModelRegistry.ALL_MINILM_L6_V2), 0);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void concurrentRequestsOfMixedLengthsEachGetTheirOwnVector() throws Exception {
        // Few texts but more than the batch cap, from more callers than workers: enough to
        // coalesce, to
        // fill and split batches, and to mix lengths in the queue; each is checked against its own
        // single-text embedding (the expensive part, so the texts stay few).
        List<String> texts = new ArrayList<>();
        texts.addAll(ChatTexts.generate(12, 8, 1));
        texts.addAll(ChatTexts.generate(12, 40, 2));
        texts.addAll(ChatTexts.generate(6, 150, 3));
        Collections.shuffle(texts, new java.util.Random(4));

        List<CompletableFuture<Embedding>> results = new ArrayList<>();
        try (MicroBatcher batcher =
                new MicroBatcher(model, 8, NO_TOKEN_CAP, Duration.ofMillis(20), 2)) {
            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<CompletableFuture<CompletableFuture<Embedding>>> submitted = new ArrayList<>();
            for (String text : texts) {
                submitted.add(CompletableFuture.supplyAsync(() -> batcher.submit(text), callers));
            }
            for (CompletableFuture<CompletableFuture<Embedding>> s : submitted) {
                results.add(s.get(60, TimeUnit.SECONDS));
            }
            callers.shutdown();
            int maxBatch = 0;
            for (int i = 0; i < texts.size(); i++) {
                Embedding e = results.get(i).get(120, TimeUnit.SECONDS);
                maxBatch = Math.max(maxBatch, e.batchSize());
                assertThat(e.batchSize()).isBetween(1, 8);
                assertThat(cosine(e.vector(), model.embed(texts.get(i))))
                        .as("text %d: %s", i, texts.get(i))
                        .isGreaterThan(0.9999);
            }
            assertThat(maxBatch).as("requests were coalesced").isGreaterThan(1);
        }
    }

    @Test
    void batchesRespectThePaddedTokenCap() throws Exception {
        List<String> texts = ChatTexts.generate(24, 60, 5);
        try (MicroBatcher batcher = new MicroBatcher(model, 32, 300, Duration.ofMillis(50), 1)) {
            List<CompletableFuture<Embedding>> results = new ArrayList<>();
            texts.forEach(t -> results.add(batcher.submit(t)));
            for (CompletableFuture<Embedding> f : results) {
                Embedding e = f.get(60, TimeUnit.SECONDS);
                assertThat((long) e.batchSize() * e.tokens())
                        .as("padded tokens of a batch")
                        .isLessThanOrEqualTo(300);
            }
        }
    }

    @Test
    void aNullTextIsRefusedAtSubmission() throws Exception {
        try (MicroBatcher batcher =
                new MicroBatcher(model, 8, NO_TOKEN_CAP, Duration.ofMillis(20), 1)) {
            Throwable thrown = catchThrowable(() -> batcher.submit(null).get(60, TimeUnit.SECONDS));
            assertThat(thrown)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * A text the tokenizer rejects fails the batch's tokenization; the batcher then tokenizes each
     * text alone and fails only the bad one. The real tokenizer accepts every Java string we found
     * (unpaired surrogates, NUL, 200,000 characters), so a tokenization that delegates to it
     * rejects one marked text.
     */
    @Test
    void aTextTheTokenizerRejectsFailsOnlyItsOwnRequest() throws Exception {
        String poison = "a text the tokenizer rejects";
        java.util.concurrent.atomic.AtomicInteger batchAttempts =
                new java.util.concurrent.atomic.AtomicInteger();
        MicroBatcher.Tokenization rejecting =
                new MicroBatcher.Tokenization() {
                    @Override
                    public List<Tokenized> all(List<String> texts) {
                        batchAttempts.incrementAndGet();
                        if (texts.contains(poison)) {
                            throw new RuntimeException("invalid input");
                        }
                        return model.tokenizer().tokenizeAll(texts);
                    }

                    @Override
                    public Tokenized one(String text) {
                        if (text.equals(poison)) {
                            throw new RuntimeException("invalid input");
                        }
                        return model.tokenizer().tokenize(text);
                    }
                };
        // a long wait so all three requests land in one batch
        try (MicroBatcher batcher =
                new MicroBatcher(model, rejecting, 8, NO_TOKEN_CAP, Duration.ofSeconds(2), 1)) {
            CompletableFuture<Embedding> before = batcher.submit("fine text");
            CompletableFuture<Embedding> bad = batcher.submit(poison);
            CompletableFuture<Embedding> after = batcher.submit("another fine text");
            assertThat(cosine(before.get(60, TimeUnit.SECONDS).vector(), model.embed("fine text")))
                    .isGreaterThan(0.9999);
            assertThat(
                            cosine(
                                    after.get(60, TimeUnit.SECONDS).vector(),
                                    model.embed("another fine text")))
                    .isGreaterThan(0.9999);
            Throwable thrown = catchThrowable(() -> bad.get(60, TimeUnit.SECONDS));
            assertThat(thrown)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot process this text");
            assertThat(before.get().batchSize())
                    .as("the good texts still ran as one batch")
                    .isEqualTo(2);
            assertThat(batchAttempts).as("one batch tokenization, then text by text").hasValue(1);
        }
    }

    /**
     * Native inference cannot be interrupted: a stop that times out while a batch still runs says
     * so, so that the pool does not close the model under it (which aborted a test JVM once).
     */
    @Test
    void aStopThatTimesOutDuringABatchReportsTheWorkerStillRunning() throws Exception {
        java.util.concurrent.CountDownLatch inBatch = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        MicroBatcher.Tokenization slow =
                new MicroBatcher.Tokenization() {
                    @Override
                    public List<Tokenized> all(List<String> texts) {
                        inBatch.countDown();
                        while (true) { // like native code: deaf to interrupts
                            try {
                                release.await();
                                break;
                            } catch (InterruptedException ignored) {
                                // keep waiting
                            }
                        }
                        return model.tokenizer().tokenizeAll(texts);
                    }

                    @Override
                    public Tokenized one(String text) {
                        return model.tokenizer().tokenize(text);
                    }
                };
        MicroBatcher batcher =
                new MicroBatcher(model, slow, 8, NO_TOKEN_CAP, Duration.ofMillis(1), 1);
        CompletableFuture<Embedding> running = batcher.submit("a text in a long batch");
        inBatch.await(60, TimeUnit.SECONDS);

        assertThat(batcher.stop(Duration.ofMillis(200))).as("a batch still runs").isFalse();
        assertThat(batcher.stopped()).isFalse();
        release.countDown();
        assertThat(batcher.stop(Duration.ofSeconds(60))).as("stopped after its batch").isTrue();
        assertThat(running.get(60, TimeUnit.SECONDS).vector()).hasSize(384);
    }

    @Test
    void aClosedBatcherRejectsNewRequests() {
        MicroBatcher batcher = new MicroBatcher(model, 8, NO_TOKEN_CAP, Duration.ofMillis(1), 1);
        batcher.close();
        Throwable thrown = catchThrowable(() -> batcher.submit("late").get(10, TimeUnit.SECONDS));
        assertThat(thrown).hasCauseInstanceOf(IllegalStateException.class);
    }
}
