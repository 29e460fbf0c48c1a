package io.discordrag.indexer.job.sink.qdrant;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.InstantiationUtil;

/**
 * Flink sink writing {@link PointOperation}s to a Qdrant collection.
 *
 * <p>Delivery guarantee: AT_LEAST_ONCE, and because point ids are deterministic and operations on one id
 * apply in emission order (see {@link QdrantSinkWriter}), replays after a restart converge to the same
 * collection — the exactly-once <em>effect</em>. Every checkpoint flushes and waits for Qdrant to apply
 * everything buffered. Build with {@link #builder()}.
 */
public final class QdrantSink<IN> implements Sink<IN> {

    private static final long serialVersionUID = 1L;

    private final QdrantConnectionOptions connection;
    private final QdrantCollectionOptions collection;
    private final QdrantSinkOptions options;
    private final OperationEmitter<IN> emitter;

    QdrantSink(QdrantConnectionOptions connection, QdrantCollectionOptions collection, QdrantSinkOptions options,
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
    public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
        return new QdrantSinkWriter<>(connection, collection, options, emitter, context.metricGroup(),
                context.getProcessingTimeService());
    }

    @Override
    @Deprecated
    public SinkWriter<IN> createWriter(InitContext context) throws IOException {
        return new QdrantSinkWriter<>(connection, collection, options, emitter, context.metricGroup(),
                context.getProcessingTimeService());
    }

    /** Builder; {@link #build()} validates everything before a job is built. */
    public static final class Builder<IN> {
        private QdrantConnectionOptions connection = QdrantConnectionOptions.builder().build();
        private QdrantCollectionOptions collection = QdrantCollectionOptions.builder().build();
        private QdrantSinkOptions options = QdrantSinkOptions.builder().build();
        private OperationEmitter<IN> emitter;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;

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

        /** Only AT_LEAST_ONCE (and NONE, treated alike) are supported: Qdrant has no transactions. */
        public Builder<IN> setDeliveryGuarantee(DeliveryGuarantee guarantee) {
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                throw new IllegalArgumentException("The Qdrant sink does not support EXACTLY_ONCE: writes are "
                        + "idempotent (deterministic point ids), so AT_LEAST_ONCE gives the exactly-once effect");
            }
            this.guarantee = Objects.requireNonNull(guarantee, "guarantee cannot be null");
            return this;
        }

        public QdrantSink<IN> build() {
            if (emitter == null) {
                throw new IllegalStateException("an OperationEmitter is required (setEmitter)");
            }
            if (!InstantiationUtil.isSerializable(emitter)) {
                throw new IllegalArgumentException("the OperationEmitter must be serializable: " + emitter);
            }
            return new QdrantSink<>(connection, collection, options, emitter);
        }
    }
}
