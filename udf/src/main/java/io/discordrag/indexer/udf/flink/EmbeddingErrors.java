package io.discordrag.indexer.udf.flink;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Decides what an embedding error means for its record: {@link Kind#UNEMBEDDABLE} when the record
 * itself cannot be embedded, so a retry would fail the same way (no text can be extracted from it,
 * the tokenizer rejects its text: an {@link IllegalArgumentException} anywhere in the cause chain),
 * or {@link Kind#TRANSIENT} for everything else (a timeout, a failed inference, a batcher closed by
 * a restart), which is retried a bounded number of times. The table is checked cause by cause,
 * outermost first, and the first class that matches decides; an error it does not know is
 * transient, so a new kind of failure is retried and then fails the job rather than losing records
 * unnoticed.
 */
public final class EmbeddingErrors {

    /** What to do with a record whose embedding failed. */
    public enum Kind {
        /** Deterministic: skip the record (counted and logged with the record), never retry. */
        UNEMBEDDABLE,
        /** May succeed on another attempt: retry within {@code embedding.async.max-attempts}. */
        TRANSIENT
    }

    /** The classification table, in the order it is checked. */
    static final List<Map.Entry<Class<? extends Throwable>, Kind>> TABLE =
            List.of(
                    Map.entry(IllegalArgumentException.class, Kind.UNEMBEDDABLE),
                    Map.entry(TimeoutException.class, Kind.TRANSIENT),
                    Map.entry(IllegalStateException.class, Kind.TRANSIENT));

    private EmbeddingErrors() {}

    public static Kind classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Map.Entry<Class<? extends Throwable>, Kind> row : TABLE) {
                if (row.getKey().isInstance(t)) {
                    return row.getValue();
                }
            }
        }
        return Kind.TRANSIENT;
    }

    /** Whether another attempt may succeed. */
    public static boolean isRetryable(Throwable error) {
        return classify(error) == Kind.TRANSIENT;
    }

    /**
     * {@link #isRetryable} as the retry predicate of {@link EmbeddingAsync} (shipped with the job
     * graph).
     */
    static final class RetryPredicate implements Predicate<Throwable>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(Throwable error) {
            return isRetryable(error);
        }
    }
}
