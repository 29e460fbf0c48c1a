package io.discordrag.indexer.job.sink.qdrant;

import java.io.Serializable;
import java.util.function.Consumer;

/** Turns one input record into the point operations the Qdrant sink applies, in order. */
@FunctionalInterface
public interface OperationEmitter<IN> extends Serializable {

    void emit(IN record, Consumer<PointOperation> out);

    /** For a stream that already carries {@link PointOperation}s. */
    static OperationEmitter<PointOperation> identity() {
        return (op, out) -> out.accept(op);
    }
}
