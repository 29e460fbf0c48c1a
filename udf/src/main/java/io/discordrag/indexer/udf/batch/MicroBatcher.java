package io.discordrag.indexer.udf.batch;

import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.Tokenized;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Coalesces concurrent embedding requests into batches for one model. A worker takes what is
 * queued, waits up to {@code maxWait} for a full batch, tokenises, sorts the texts by token length
 * and runs batches of at most {@code maxBatchSize} texts of similar lengths, at most {@code
 * maxBatchTokens} padded tokens and at most 25% padding, so little work is wasted on padding and
 * long texts run in smaller batches. Each request's future completes with its own vector, or
 * exceptionally with its own error (a bad text fails only its request). Thread-safe; after {@link
 * #close()} new requests fail and pending ones are cancelled.
 */
public final class MicroBatcher implements AutoCloseable {

    /** How many batches' worth of queued requests one worker groups by length at a time. */
    static final int GROUPING_WINDOW_BATCHES = 8;

    /**
     * A batch is cut before padding would make it more than this many times its real tokens: on
     * CPUs a smaller batch costs little, padded tokens cost as much as real ones.
     */
    static final double MAX_PADDING_RATIO = 1.25;

    private final EmbeddingModel model;
    private final Tokenization tokenization;
    private final int maxBatchSize;
    private final int maxBatchTokens;
    private final long maxWaitNanos;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Requests submitted and not yet completed (waiting, being grouped, or being embedded). */
    private final AtomicInteger unfinished = new AtomicInteger();

    private record Request(String text, CompletableFuture<Embedding> result) {}

    private record Prepared(Request request, Tokenized tokens) {}

    /** How a batch's texts become model input: the model's tokenizer, all at once or one by one. */
    interface Tokenization {
        List<Tokenized> all(List<String> texts);

        Tokenized one(String text);
    }

    public MicroBatcher(
            EmbeddingModel model,
            int maxBatchSize,
            int maxBatchTokens,
            Duration maxWait,
            int threads) {
        this(
                model,
                new Tokenization() {
                    @Override
                    public List<Tokenized> all(List<String> texts) {
                        return model.tokenizer().tokenizeAll(texts);
                    }

                    @Override
                    public Tokenized one(String text) {
                        return model.tokenizer().tokenize(text);
                    }
                },
                maxBatchSize,
                maxBatchTokens,
                maxWait,
                threads);
    }

    /** With another tokenization: for tests of texts the real tokenizer does not reject. */
    MicroBatcher(
            EmbeddingModel model,
            Tokenization tokenization,
            int maxBatchSize,
            int maxBatchTokens,
            Duration maxWait,
            int threads) {
        this.model = model;
        this.tokenization = tokenization;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
        this.maxWaitNanos = maxWait.toNanos();
        ClassLoader loader = MicroBatcher.class.getClassLoader();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "embedding-batcher-" + model.spec().id() + "-" + i);
            t.setDaemon(true);
            // Native libraries find their resources through the context classloader: the job's.
            t.setContextClassLoader(loader);
            workers.add(t);
            t.start();
        }
    }

    /** Queues {@code text} for embedding; never blocks. */
    public CompletableFuture<Embedding> submit(String text) {
        CompletableFuture<Embedding> result = new CompletableFuture<>();
        if (text == null) {
            result.completeExceptionally(
                    new IllegalArgumentException("text to embed must not be null"));
            return result;
        }
        if (closed.get()) {
            result.completeExceptionally(
                    new IllegalStateException(
                            "embedding batcher of model " + model.spec().id() + " is closed"));
            return result;
        }
        unfinished.incrementAndGet();
        result.whenComplete((embedding, failure) -> unfinished.decrementAndGet());
        queue.add(new Request(text, result));
        return result;
    }

    /** Requests submitted and not completed yet: waiting for a batch, or being embedded. */
    public int queued() {
        return unfinished.get();
    }

    public EmbeddingModel model() {
        return model;
    }

    private void work() {
        List<Request> pending = new ArrayList<>();
        while (!closed.get()) {
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                pending.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (pending.size() < maxBatchSize) {
                    long left = deadline - System.nanoTime();
                    Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    pending.add(next);
                }
                queue.drainTo(pending, maxBatchSize * GROUPING_WINDOW_BATCHES - pending.size());
                try {
                    run(pending);
                } finally {
                    pending.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pending.forEach(r -> r.result().cancel(false));
    }

    private void run(List<Request> requests) {
        List<Prepared> prepared = new ArrayList<>(requests.size());
        List<String> texts = new ArrayList<>(requests.size());
        requests.forEach(r -> texts.add(r.text()));
        try {
            List<Tokenized> all = tokenization.all(texts);
            for (int i = 0; i < requests.size(); i++) {
                prepared.add(new Prepared(requests.get(i), all.get(i)));
            }
        } catch (RuntimeException batchFailure) {
            // Find the text that fails and fail only its request.
            for (Request r : requests) {
                try {
                    prepared.add(new Prepared(r, tokenization.one(r.text())));
                } catch (IllegalStateException e) {
                    r.result()
                            .completeExceptionally(
                                    e); // the tokenizer itself is unusable (closed), not the text
                } catch (RuntimeException e) {
                    r.result()
                            .completeExceptionally(
                                    new IllegalArgumentException(
                                            "The tokenizer of model "
                                                    + model.spec().id()
                                                    + " cannot process this text: "
                                                    + e.getMessage(),
                                            e));
                }
            }
        }
        prepared.sort(Comparator.comparingInt(p -> p.tokens().length()));
        for (int from = 0, to; from < prepared.size(); from = to) {
            to = from + 1;
            long real = prepared.get(from).tokens().length();
            // Sorted ascending: the last text of a batch is its longest, so padded size = count x
            // its length.
            while (to < prepared.size() && to - from < maxBatchSize) {
                long next = prepared.get(to).tokens().length();
                long padded = (to - from + 1) * next;
                if (padded > maxBatchTokens || padded > MAX_PADDING_RATIO * (real + next)) {
                    break;
                }
                real += next;
                to++;
            }
            List<Prepared> batch = prepared.subList(from, to);
            List<Tokenized> inputs = new ArrayList<>(batch.size());
            for (Prepared p : batch) {
                inputs.add(p.tokens());
            }
            long start = System.nanoTime();
            float[][] vectors;
            try {
                vectors = model.infer(inputs);
            } catch (RuntimeException e) {
                batch.forEach(p -> p.request().result().completeExceptionally(e));
                continue;
            }
            long nanos = System.nanoTime() - start;
            for (int i = 0; i < batch.size(); i++) {
                Prepared p = batch.get(i);
                p.request()
                        .result()
                        .complete(
                                new Embedding(
                                        vectors[i],
                                        p.tokens().length(),
                                        p.tokens().truncated(),
                                        batch.size(),
                                        nanos));
            }
        }
    }

    /** How long {@link #close()} waits for a batch being embedded to finish. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Stops the workers; requests still queued are cancelled. Does not close the model: the caller
     * may close it only when this returned, and {@link #stopped()} is true.
     */
    @Override
    public void close() {
        stop(STOP_TIMEOUT);
    }

    /**
     * Stops the workers as {@link #close()} does, waiting at most {@code timeout} for a batch that
     * is being embedded (native inference cannot be interrupted), and returns whether every worker
     * has stopped: a model must not be closed under a running inference (the JVM aborts).
     */
    public boolean stop(Duration timeout) {
        if (closed.compareAndSet(false, true)) {
            for (Thread t : workers) {
                t.interrupt();
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    t.join(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Request> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(r -> r.result().cancel(false));
        return stopped();
    }

    /** Whether every worker has ended. */
    public boolean stopped() {
        return workers.stream().noneMatch(Thread::isAlive);
    }
}
