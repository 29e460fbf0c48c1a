package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.grpc.JsonWithInt.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads payload values by Qdrant JSON path: {@code a.b} walks into objects, {@code a[]} flattens an
 * array, {@code a[2]} picks an element.
 */
final class PayloadPaths {

    private PayloadPaths() {}

    /** The values at {@code path}, an array at the end of the path not flattened. */
    static List<Value> rawValues(Map<String, Value> payload, String path) {
        List<Value> current = new ArrayList<>();
        current.add(
                Value.newBuilder()
                        .setStructValue(
                                io.qdrant.client.grpc.JsonWithInt.Struct.newBuilder()
                                        .putAllFields(payload))
                        .build());
        for (String segment : path.split("\\.", -1)) {
            String name = segment;
            String index = null;
            int bracket = segment.indexOf('[');
            if (bracket >= 0 && segment.endsWith("]")) {
                name = segment.substring(0, bracket);
                index = segment.substring(bracket + 1, segment.length() - 1);
            }
            List<Value> next = new ArrayList<>();
            for (Value v : current) {
                if (v.getKindCase() == Value.KindCase.STRUCT_VALUE) {
                    Value child = v.getStructValue().getFieldsMap().get(name);
                    if (child != null) {
                        next.add(child);
                    }
                }
            }
            if (index != null) {
                List<Value> indexed = new ArrayList<>();
                for (Value v : next) {
                    if (v.getKindCase() != Value.KindCase.LIST_VALUE) {
                        continue;
                    }
                    List<Value> elements = v.getListValue().getValuesList();
                    if (index.isEmpty()) {
                        indexed.addAll(elements);
                    } else {
                        int i = Integer.parseInt(index);
                        if (i >= 0 && i < elements.size()) {
                            indexed.add(elements.get(i));
                        }
                    }
                }
                next = indexed;
            }
            current = next;
        }
        return current;
    }

    /** The values at {@code path} with an array at the end flattened one level ("any element"). */
    static List<Value> values(Map<String, Value> payload, String path) {
        List<Value> out = new ArrayList<>();
        for (Value v : rawValues(payload, path)) {
            if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
                out.addAll(v.getListValue().getValuesList());
            } else {
                out.add(v);
            }
        }
        return out;
    }

    static boolean isNull(Value v) {
        return v.getKindCase() == Value.KindCase.NULL_VALUE
                || v.getKindCase() == Value.KindCase.KIND_NOT_SET;
    }
}
