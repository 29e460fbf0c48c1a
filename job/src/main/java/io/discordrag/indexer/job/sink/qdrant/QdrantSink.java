package io.discordrag.indexer.job.sink.qdrant;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.InstantiationUtil;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Flink sink writing {@link PointOperation}s to a Qdrant collection.
 *
 * <p>Delivery guarantee: AT_LEAST_ONCE (Qdrant has no transactions, so EXACTLY_ONCE is not
 * offered). Because point ids are deterministic and operations on one id apply in emission order
 * (see {@link QdrantSinkWriter}), replays after a restart converge to the same collection — the
 * exactly-once <em>effect</em>. A checkpoint never waits for Qdrant: the operations Qdrant has not
 * acknowledged are part of the checkpoint, and a restored writer writes them before anything new.
 * At end of input everything is written before the sink finishes. Build with {@link #builder()}.
 */
public final class QdrantSink<IN> implements Sink<IN>, SupportsWriterState<IN, QdrantWriterState> {

    private static final long serialVersionUID = 1L;

    private final QdrantConnectionOptions connection;
    private final QdrantCollectionOptions collection;
    private final QdrantSinkOptions options;
    private final OperationEmitter<IN> emitter;

    QdrantSink(
            QdrantConnectionOptions connection,
            QdrantCollectionOptions collection,
            QdrantSinkOptions options,
            OperationEmitter<IN> emitter) {
        this.connection = connection;
        this.collection = collection;
        this.options = options;
        this.emitter = emitter;
    }

    public static <IN> Builder<IN> builder() {
        return new Builder<>();
    }

    @Override
    public StatefulSinkWriter<IN, QdrantWriterState> createWriter(WriterInitContext context)
            throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<IN, QdrantWriterState> restoreWriter(
            WriterInitContext context, Collection<QdrantWriterState> recoveredState)
            throws IOException {
        return new QdrantSinkWriter<>(
                connection,
                collection,
                options,
                emitter,
                context.metricGroup(),
                context.getMailboxExecutor(),
                context.getProcessingTimeService(),
                recoveredState);
    }

    @Override
    @Deprecated
    public SinkWriter<IN> createWriter(InitContext context) throws IOException {
        return new QdrantSinkWriter<>(
                connection,
                collection,
                options,
                emitter,
                context.metricGroup(),
                context.getMailboxExecutor(),
                context.getProcessingTimeService(),
                List.of());
    }

    @Override
    public SimpleVersionedSerializer<QdrantWriterState> getWriterStateSerializer() {
        return QdrantWriterStateSerializer.INSTANCE;
    }

    /** Builder; {@link #build()} validates everything before a job is built. */
    public static final class Builder<IN> {
        private QdrantConnectionOptions connection = QdrantConnectionOptions.builder().build();
        private QdrantCollectionOptions collection = QdrantCollectionOptions.builder().build();
        private QdrantSinkOptions options = QdrantSinkOptions.builder().build();
        private OperationEmitter<IN> emitter;

        private Builder() {}

        public Builder<IN> setConnection(QdrantConnectionOptions connection) {
            this.connection = Objects.requireNonNull(connection, "connection cannot be null");
            return this;
        }

        public Builder<IN> setCollection(QdrantCollectionOptions collection) {
            this.collection = Objects.requireNonNull(collection, "collection cannot be null");
            return this;
        }

        public Builder<IN> setOptions(QdrantSinkOptions options) {
            this.options = Objects.requireNonNull(options, "options cannot be null");
            return this;
        }

        public Builder<IN> setEmitter(OperationEmitter<IN> emitter) {
            this.emitter = Objects.requireNonNull(emitter, "emitter cannot be null");
            return this;
        }

        public QdrantSink<IN> build() {
            if (emitter == null) {
                throw new IllegalStateException("an OperationEmitter is required (setEmitter)");
            }
            if (!InstantiationUtil.isSerializable(emitter)) {
                throw new IllegalArgumentException(
                        "the OperationEmitter must be serializable: " + emitter);
            }
            return new QdrantSink<>(connection, collection, options, emitter);
        }
    }
}
