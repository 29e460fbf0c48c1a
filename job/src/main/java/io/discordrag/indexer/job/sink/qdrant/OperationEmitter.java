package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.util.function.Consumer;

/** Turns one input record into the point operations the Qdrant sink applies, in order. */
@FunctionalInterface
public interface OperationEmitter<IN> extends Serializable {

    void emit(IN record, Consumer<PointOperation> out);

    /**
     * Postgres commit times, by change type, of the changes this record brings to the index; the
     * sink records {@code now - commit} in the histogram {@code commitToQdrantLagMs} (label {@code
     * change=<type>}) once the record's operations are acknowledged by Qdrant. None by default.
     */
    default java.util.Map<String, Long> commitTimes(IN record) {
        return java.util.Map.of();
    }
}
