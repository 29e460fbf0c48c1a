package io.discordrag.indexer.job.sink.qdrant;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Lets Flink's type extraction find {@link PointOperationTypeInfo} wherever {@link PointOperation} appears. */
public final class PointOperationTypeInfoFactory extends TypeInfoFactory<PointOperation> {

    @Override
    public TypeInformation<PointOperation> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return PointOperationTypeInfo.INSTANCE;
    }
}
