package io.discordrag.indexer.udf.pool;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.batch.MicroBatcher;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.NativeLibraries;
import io.discordrag.indexer.udf.model.TextTokenizer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loaded model (with its micro-batcher) per {@link EmbeddingOptions} per classloader, shared by
 * every user in it and reference-counted: {@link #acquire} loads on first use, {@link
 * Lease#close()} releases, and the last release closes the model and stops its threads.
 *
 * <p>In Flink, statics of job code live once per job per TaskManager (one user-code classloader,
 * kept across failover restarts), which makes this the per-TaskManager model pool: all subtasks of
 * a job on a TaskManager share one model. A resubmitted job gets a new classloader and so a pool of
 * its own.
 *
 * <p>A lease may name an owner (a Flink operator passes its job's user-code classloader): {@link
 * #releaseAll(Object)}, the classloader release hook, then releases exactly the leases that owner
 * still holds and never a model someone else still uses. When a job runs in-process (MiniCluster:
 * tests, the demo, a backfill run as a plain program) the pool's statics are shared with the rest
 * of the JVM, e.g. a {@code verify} started right after the job; closing every model there would
 * pull it out from under them. Thread-safe.
 */
public final class EmbeddingModelPool {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModelPool.class);

    private static final Map<EmbeddingOptions, Entry> ENTRIES = new HashMap<>();
    private static final Map<Object, Set<Lease>> OWNED = new IdentityHashMap<>();
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
    public static Lease acquire(EmbeddingOptions options) {
        return acquire(options, null);
    }

    /**
     * A lease as {@link #acquire(EmbeddingOptions)} that {@link #releaseAll(Object)} of {@code
     * owner} (compared by identity; null for none) releases if it is still open then.
     */
    public static synchronized Lease acquire(EmbeddingOptions options, Object owner) {
        Entry entry = ENTRIES.get(options);
        if (entry == null) {
            NativeLibraries.require(); // before EmbeddingModel links against ONNX Runtime
            long start = System.nanoTime();
            EmbeddingModel model = EmbeddingModel.load(options.model(), options.intraOpThreads());
            MicroBatcher batcher =
                    new MicroBatcher(
                            model,
                            options.maxBatchSize(),
                            options.maxBatchTokens(),
                            options.maxWait(),
                            options.inferenceThreads());
            entry = new Entry(model, batcher);
            ENTRIES.put(options, entry);
            loads++;
            LOG.info(
                    "Loaded embedding model {} (dimension {}) in {} ms",
                    options.model(),
                    model.dimension(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        entry.references++;
        Lease lease = new Lease(options, entry.batcher, owner);
        if (owner != null) {
            OWNED.computeIfAbsent(owner, o -> new LinkedHashSet<>()).add(lease);
        }
        return lease;
    }

    private static synchronized void release(Lease lease) {
        if (lease.owner != null) {
            Set<Lease> owned = OWNED.get(lease.owner);
            if (owned != null && owned.remove(lease) && owned.isEmpty()) {
                OWNED.remove(lease.owner);
            }
        }
        EmbeddingOptions options = lease.options;
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
        if (entry.batcher.stop(MicroBatcher.STOP_TIMEOUT)) {
            entry.model.close();
        } else { // closing it under a running inference would abort the JVM
            LOG.warn(
                    "Embedding model {} left open: an inference still runs {} s after its release",
                    entry.model.spec().id(),
                    MicroBatcher.STOP_TIMEOUT.toSeconds());
        }
    }

    /** Models currently loaded in this classloader. */
    public static synchronized int loadedModels() {
        return ENTRIES.size();
    }

    /** Models loaded in this classloader since it was created (a reload shows as a second load). */
    public static synchronized long totalLoads() {
        return loads;
    }

    /**
     * What a job's operators register as its classloader release hook ({@code owner}: that
     * classloader): {@link #releaseAll} of the owner, then the removal of the native-library copy
     * its classloader extracted, if any ({@link TextTokenizer#deletePrivateNativeDir()}).
     */
    public static Runnable releaseHook(Object owner) {
        return () -> {
            releaseAll(owner);
            TextTokenizer.deletePrivateNativeDir();
        };
    }

    /**
     * Releases the leases {@code owner} still holds (those its users did not close), closing a
     * model only when that was its last lease: the safety net run when a job's classloader is
     * released.
     */
    public static void releaseAll(Object owner) {
        List<Lease> open;
        synchronized (EmbeddingModelPool.class) {
            Set<Lease> owned = OWNED.get(owner);
            open = owned == null ? List.of() : new ArrayList<>(owned);
        }
        // outside the pool's lock: Lease.close locks the lease, then the pool
        open.forEach(Lease::close);
    }

    /** A hold on a pooled model; close it exactly once. */
    public static final class Lease implements AutoCloseable {
        private final EmbeddingOptions options;
        private final MicroBatcher batcher;
        private final Object owner;
        private boolean closed;

        private Lease(EmbeddingOptions options, MicroBatcher batcher, Object owner) {
            this.options = options;
            this.batcher = batcher;
            this.owner = owner;
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
                release(this);
            }
        }
    }
}
