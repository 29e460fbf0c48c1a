package io.discordrag.indexer.testing.qdrant;

import io.qdrant.client.grpc.Common.PointId;

import java.util.Locale;

/**
 * A point id as Qdrant stores it: an unsigned 64-bit number or a 128-bit UUID. Ordered like Qdrant
 * orders ids in a scroll: every number (unsigned) before every UUID, UUIDs in byte order.
 */
record PointKey(boolean isUuid, long num, long uuidHigh, long uuidLow)
        implements Comparable<PointKey> {

    static PointKey of(PointId id) {
        switch (id.getPointIdOptionsCase()) {
            case NUM:
                return new PointKey(false, id.getNum(), 0, 0);
            case UUID:
                return parseUuid(id.getUuid());
            default:
                throw QdrantErrors.invalidArgument("No ID options provided").asRuntimeException();
        }
    }

    /**
     * Parses a UUID the way Rust's {@code Uuid::parse_str} does: 32 hex digits, the hyphenated
     * form, the braced hyphenated form, or the {@code urn:uuid:} form; hex digits in either case.
     */
    static PointKey parseUuid(String text) {
        String hex = canonicalHex(text);
        if (hex == null) {
            throw QdrantErrors.invalidArgument("Unable to parse UUID: " + text)
                    .asRuntimeException();
        }
        long high = Long.parseUnsignedLong(hex.substring(0, 16), 16);
        long low = Long.parseUnsignedLong(hex.substring(16), 16);
        return new PointKey(true, 0, high, low);
    }

    private static String canonicalHex(String text) {
        String body;
        if (text.length() == 32) {
            body = text;
            return allHex(body) ? body.toLowerCase(Locale.ROOT) : null;
        } else if (text.length() == 36) {
            body = text;
        } else if (text.length() == 38 && text.charAt(0) == '{' && text.charAt(37) == '}') {
            body = text.substring(1, 37);
        } else if (text.length() == 45 && text.startsWith("urn:uuid:")) {
            body = text.substring(9);
        } else {
            return null;
        }
        int[] groups = {8, 4, 4, 4, 12};
        StringBuilder hex = new StringBuilder(32);
        int pos = 0;
        for (int g = 0; g < groups.length; g++) {
            if (g > 0) {
                if (body.charAt(pos) != '-') {
                    return null;
                }
                pos++;
            }
            String part = body.substring(pos, pos + groups[g]);
            if (!allHex(part)) {
                return null;
            }
            hex.append(part);
            pos += groups[g];
        }
        return hex.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean allHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) > 'f') {
                return false;
            }
        }
        return true;
    }

    PointId toPointId() {
        if (!isUuid) {
            return PointId.newBuilder().setNum(num).build();
        }
        return PointId.newBuilder().setUuid(canonicalUuid()).build();
    }

    String canonicalUuid() {
        String hex = String.format("%016x%016x", uuidHigh, uuidLow);
        return hex.substring(0, 8)
                + "-"
                + hex.substring(8, 12)
                + "-"
                + hex.substring(12, 16)
                + "-"
                + hex.substring(16, 20)
                + "-"
                + hex.substring(20);
    }

    @Override
    public int compareTo(PointKey o) {
        if (isUuid != o.isUuid) {
            return isUuid ? 1 : -1;
        }
        if (!isUuid) {
            return Long.compareUnsigned(num, o.num);
        }
        int c = Long.compareUnsigned(uuidHigh, o.uuidHigh);
        return c != 0 ? c : Long.compareUnsigned(uuidLow, o.uuidLow);
    }

    @Override
    public String toString() {
        return isUuid ? canonicalUuid() : Long.toUnsignedString(num);
    }
}
