package io.discordrag.indexer.testing.qdrant;

import com.google.protobuf.Timestamp;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.DatetimeRange;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import io.qdrant.client.grpc.JsonWithInt.Value;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a Qdrant {@link Filter} against one point, following Qdrant's query checker (spec
 * section 9).
 */
final class FilterEvaluator {

    private FilterEvaluator() {}

    /**
     * Checks the filter is well formed before any point is evaluated; throws the status Qdrant
     * returns.
     */
    static void validate(Filter filter) {
        for (List<Condition> list :
                List.of(
                        filter.getMustList(),
                        filter.getShouldList(),
                        filter.getMustNotList(),
                        filter.getMinShould().getConditionsList())) {
            for (Condition c : list) {
                validate(c);
            }
        }
    }

    private static void validate(Condition c) {
        switch (c.getConditionOneOfCase()) {
            case FIELD:
                FieldCondition f = c.getField();
                if (!f.hasMatch()
                        && !f.hasRange()
                        && !f.hasDatetimeRange()
                        && !f.hasValuesCount()
                        && !f.hasGeoBoundingBox()
                        && !f.hasGeoRadius()
                        && !f.hasGeoPolygon()
                        && !f.hasIsEmpty()
                        && !f.hasIsNull()) {
                    throw QdrantErrors.validation(
                            "field", "At least one field condition must be specified");
                }
                if (f.hasGeoBoundingBox() || f.hasGeoRadius() || f.hasGeoPolygon()) {
                    throw QdrantErrors.unimplemented("geo conditions");
                }
                if (f.hasMatch()
                        && (f.getMatch().getMatchValueCase() == Match.MatchValueCase.PHRASE
                                || f.getMatch().getMatchValueCase()
                                        == Match.MatchValueCase.TEXT_ANY)) {
                    throw QdrantErrors.unimplemented("phrase/text_any matching");
                }
                break;
            case FILTER:
                validate(c.getFilter());
                break;
            case NESTED:
                validate(c.getNested().getFilter());
                break;
            case HAS_VECTOR:
                throw QdrantErrors.unimplemented("has_vector conditions");
            default:
                break;
        }
    }

    static boolean matches(Filter filter, PointKey id, Map<String, Value> payload) {
        for (Condition c : filter.getMustList()) {
            if (isSet(c) && !matches(c, id, payload)) {
                return false;
            }
        }
        for (Condition c : filter.getMustNotList()) {
            if (isSet(c) && matches(c, id, payload)) {
                return false;
            }
        }
        List<Condition> should =
                filter.getShouldList().stream().filter(FilterEvaluator::isSet).toList();
        if (!should.isEmpty() && should.stream().noneMatch(c -> matches(c, id, payload))) {
            return false;
        }
        if (filter.hasMinShould()) {
            List<Condition> conditions =
                    filter.getMinShould().getConditionsList().stream()
                            .filter(FilterEvaluator::isSet)
                            .toList();
            long hits = conditions.stream().filter(c -> matches(c, id, payload)).count();
            if (!conditions.isEmpty() && hits < filter.getMinShould().getMinCount()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSet(Condition c) {
        return c.getConditionOneOfCase() != Condition.ConditionOneOfCase.CONDITIONONEOF_NOT_SET;
    }

    private static boolean matches(Condition c, PointKey id, Map<String, Value> payload) {
        switch (c.getConditionOneOfCase()) {
            case FIELD:
                return matchesField(c.getField(), payload);
            case IS_EMPTY:
                return isEmpty(payload, c.getIsEmpty().getKey());
            case IS_NULL:
                return isNull(payload, c.getIsNull().getKey());
            case HAS_ID:
                for (PointId candidate : c.getHasId().getHasIdList()) {
                    if (PointKey.of(candidate).equals(id)) {
                        return true;
                    }
                }
                return false;
            case FILTER:
                return matches(c.getFilter(), id, payload);
            case NESTED:
                for (Value element : PayloadPaths.values(payload, c.getNested().getKey())) {
                    if (element.getKindCase() == Value.KindCase.STRUCT_VALUE
                            && matches(
                                    c.getNested().getFilter(),
                                    id,
                                    element.getStructValue().getFieldsMap())) {
                        return true;
                    }
                }
                return false;
            default:
                return true;
        }
    }

    private static boolean isEmpty(Map<String, Value> payload, String key) {
        List<Value> raw = PayloadPaths.rawValues(payload, key);
        if (raw.isEmpty()) {
            return true;
        }
        for (Value v : raw) {
            if (PayloadPaths.isNull(v)) {
                continue;
            }
            if (v.getKindCase() == Value.KindCase.LIST_VALUE
                    && v.getListValue().getValuesCount() == 0) {
                continue;
            }
            return false;
        }
        return true;
    }

    private static boolean isNull(Map<String, Value> payload, String key) {
        for (Value v : PayloadPaths.rawValues(payload, key)) {
            if (PayloadPaths.isNull(v)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesField(FieldCondition f, Map<String, Value> payload) {
        String key = f.getKey();
        if (f.hasIsEmpty() && isEmpty(payload, key) != f.getIsEmpty()) {
            return false;
        }
        if (f.hasIsNull() && isNull(payload, key) != f.getIsNull()) {
            return false;
        }
        List<Value> values = PayloadPaths.values(payload, key);
        if (f.hasMatch() && values.stream().noneMatch(v -> matchesValue(f.getMatch(), v))) {
            return false;
        }
        if (f.hasRange() && values.stream().noneMatch(v -> inRange(f.getRange(), v))) {
            return false;
        }
        if (f.hasDatetimeRange()
                && values.stream().noneMatch(v -> inDatetimeRange(f.getDatetimeRange(), v))) {
            return false;
        }
        if (f.hasValuesCount() && !countInRange(f.getValuesCount(), values.size())) {
            return false;
        }
        return true;
    }

    private static boolean matchesValue(Match m, Value v) {
        Value.KindCase kind = v.getKindCase();
        switch (m.getMatchValueCase()) {
            case KEYWORD:
                return kind == Value.KindCase.STRING_VALUE
                        && v.getStringValue().equals(m.getKeyword());
            case INTEGER:
                return kind == Value.KindCase.INTEGER_VALUE
                        && v.getIntegerValue() == m.getInteger();
            case BOOLEAN:
                return kind == Value.KindCase.BOOL_VALUE && v.getBoolValue() == m.getBoolean();
            case TEXT:
                return kind == Value.KindCase.STRING_VALUE
                        && v.getStringValue().contains(m.getText());
            case KEYWORDS:
                return kind == Value.KindCase.STRING_VALUE
                        && m.getKeywords().getStringsList().contains(v.getStringValue());
            case INTEGERS:
                return kind == Value.KindCase.INTEGER_VALUE
                        && m.getIntegers().getIntegersList().contains(v.getIntegerValue());
            case EXCEPT_KEYWORDS:
                if (PayloadPaths.isNull(v)) {
                    return false;
                }
                return kind != Value.KindCase.STRING_VALUE
                        || !m.getExceptKeywords().getStringsList().contains(v.getStringValue());
            case EXCEPT_INTEGERS:
                if (PayloadPaths.isNull(v)) {
                    return false;
                }
                return kind != Value.KindCase.INTEGER_VALUE
                        || !m.getExceptIntegers().getIntegersList().contains(v.getIntegerValue());
            default:
                return false;
        }
    }

    private static boolean inRange(Range r, Value v) {
        double x;
        if (v.getKindCase() == Value.KindCase.INTEGER_VALUE) {
            x = v.getIntegerValue();
        } else if (v.getKindCase() == Value.KindCase.DOUBLE_VALUE) {
            x = v.getDoubleValue();
        } else {
            return false;
        }
        return (!r.hasLt() || x < r.getLt())
                && (!r.hasGt() || x > r.getGt())
                && (!r.hasLte() || x <= r.getLte())
                && (!r.hasGte() || x >= r.getGte());
    }

    private static boolean inDatetimeRange(DatetimeRange r, Value v) {
        if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
            return false;
        }
        Instant t = parseDatetime(v.getStringValue());
        if (t == null) {
            return false;
        }
        return (!r.hasLt() || t.isBefore(instant(r.getLt())))
                && (!r.hasGt() || t.isAfter(instant(r.getGt())))
                && (!r.hasLte() || !t.isAfter(instant(r.getLte())))
                && (!r.hasGte() || !t.isBefore(instant(r.getGte())));
    }

    static Instant parseDatetime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text + (text.endsWith("Z") ? "" : "Z"));
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private static boolean countInRange(ValuesCount r, long n) {
        return (!r.hasLt() || n < r.getLt())
                && (!r.hasGt() || n > r.getGt())
                && (!r.hasLte() || n <= r.getLte())
                && (!r.hasGte() || n >= r.getGte());
    }
}
