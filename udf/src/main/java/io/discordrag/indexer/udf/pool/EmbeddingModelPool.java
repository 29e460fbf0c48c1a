package io.discordrag.indexer.udf.pool;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.batch.MicroBatcher;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model (with its micro-batcher) per {@link EmbeddingOptions} per classloader, shared by
 * every user in it and reference-counted: {@link #acquire} loads on first use, {@link Lease#close()}
 * releases, and the last release closes the model and stops its threads.
 *
 * <p>In Flink, statics of job code live once per job per TaskManager (one user-code classloader, kept
 * across failover restarts), which makes this the per-TaskManager model pool: all subtasks of a job on
 * a TaskManager share one model. A resubmitted job gets a new classloader and so a pool of its own.
 * Thread-safe.
 */
public final class EmbeddingModelPool {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModelPool.class);

    private static final Map<EmbeddingOptions, Entry> ENTRIES = new HashMap<>();
    private static long loads;

    private static final class Entry {
        final EmbeddingModel model;
        final MicroBatcher batcher;
        int references;

        Entry(EmbeddingModel model, MicroBatcher batcher) {
            this.model = model;
            this.batcher = batcher;
        }
    }

    private EmbeddingModelPool() {}

    /** A lease on the shared model for {@code options}, loading it if nobody holds it yet. */
    public static synchronized Lease acquire(EmbeddingOptions options) {
        Entry entry = ENTRIES.get(options);
        if (entry == null) {
            long start = System.nanoTime();
            EmbeddingModel model = EmbeddingModel.load(options.model(), options.intraOpThreads());
            MicroBatcher batcher = new MicroBatcher(model, options.maxBatchSize(), options.maxBatchTokens(),
                    options.maxWait(), options.inferenceThreads());
            entry = new Entry(model, batcher);
            ENTRIES.put(options, entry);
            loads++;
            LOG.info("Loaded embedding model {} (dimension {}) in {} ms", options.model(), model.dimension(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        entry.references++;
        return new Lease(options, entry.batcher);
    }

    private static synchronized void release(EmbeddingOptions options) {
        Entry entry = ENTRIES.get(options);
        if (entry == null) {
            return;
        }
        if (--entry.references == 0) {
            ENTRIES.remove(options);
            close(entry);
            LOG.info("Released embedding model {}", options.model().id());
        }
    }

    private static void close(Entry entry) {
        entry.batcher.close();
        entry.model.close();
    }

    /** Models currently loaded in this classloader. */
    public static synchronized int loadedModels() {
        return ENTRIES.size();
    }

    /** Models loaded in this classloader since it was created (a reload shows as a second load). */
    public static synchronized long totalLoads() {
        return loads;
    }

    /** Closes every model whatever its references: the safety net when a classloader is released. */
    public static synchronized void closeAll() {
        ENTRIES.values().forEach(EmbeddingModelPool::close);
        ENTRIES.clear();
    }

    /** A hold on a pooled model; close it exactly once. */
    public static final class Lease implements AutoCloseable {
        private final EmbeddingOptions options;
        private final MicroBatcher batcher;
        private boolean closed;

        private Lease(EmbeddingOptions options, MicroBatcher batcher) {
            this.options = options;
            this.batcher = batcher;
        }

        public MicroBatcher batcher() {
            return batcher;
        }

        public EmbeddingModel model() {
            return batcher.model();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(options);
            }
        }
    }
}
