package io.discordrag.indexer.job.sink.qdrant;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link PointOperation}, so Flink never falls back to Kryo for it. */
public final class PointOperationTypeInfo extends TypeInformation<PointOperation> {

    private static final long serialVersionUID = 1L;
    public static final PointOperationTypeInfo INSTANCE = new PointOperationTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PointOperation> getTypeClass() {
        return PointOperation.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PointOperation> createSerializer(SerializerConfig config) {
        return PointOperationSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<PointOperation> createSerializer(ExecutionConfig config) {
        return PointOperationSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PointOperation";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PointOperationTypeInfo;
    }

    @Override
    public int hashCode() {
        return PointOperationTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PointOperationTypeInfo;
    }
}
