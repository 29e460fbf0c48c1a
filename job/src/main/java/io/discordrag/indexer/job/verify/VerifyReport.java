package io.discordrag.indexer.job.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@code verify} run found: exact counts per {@link Finding.Kind}, the first {@code
 * maxFindings} findings in full, and how much was checked. Clean means no finding at all.
 */
public final class VerifyReport {

    private final int maxFindings;
    private final List<Finding> findings = new ArrayList<>();
    private final Map<Finding.Kind, Long> counts = new EnumMap<>(Finding.Kind.class);
    private final Set<String> reportedPoints = new HashSet<>();
    long messagesRead;
    long pointsChecked;
    long channels;
    long guilds;
    double seconds;

    VerifyReport(int maxFindings) {
        this.maxFindings = maxFindings;
        for (Finding.Kind k : Finding.Kind.values()) {
            counts.put(k, 0L);
        }
    }

    void add(Finding f) {
        counts.merge(f.kind(), 1L, Long::sum);
        if (findings.size() < maxFindings) {
            findings.add(f);
        }
    }

    /**
     * Records a finding about a point once, however many checks reach it; false if already
     * reported.
     */
    boolean addPointFinding(Finding f) {
        if (!reportedPoints.add(f.kind() + " " + f.pointId())) {
            return false;
        }
        add(f);
        return true;
    }

    public boolean clean() {
        return total() == 0;
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(Finding.Kind kind) {
        return counts.get(kind);
    }

    /** The findings kept (the first {@code maxFindings}); {@link #count} has the exact numbers. */
    public List<Finding> findings() {
        return Collections.unmodifiableList(findings);
    }

    public long messagesRead() {
        return messagesRead;
    }

    public long pointsChecked() {
        return pointsChecked;
    }

    /** One line: clean, or the count per kind. */
    public String summary() {
        String scope =
                String.format(
                        "%,d messages in %,d channels of %,d guilds, %,d points checked in %.1f s",
                        messagesRead, channels, guilds, pointsChecked, seconds);
        if (clean()) {
            return "verify: clean — " + scope;
        }
        StringBuilder sb =
                new StringBuilder("verify: ")
                        .append(String.format("%,d", total()))
                        .append(" inconsistencies —");
        for (Map.Entry<Finding.Kind, Long> e : counts.entrySet()) {
            sb.append(' ').append(e.getKey().name().toLowerCase()).append(' ').append(e.getValue());
        }
        sb.append(" (").append(scope).append(")");
        if (total() > findings.size()) {
            sb.append("; first ").append(findings.size()).append(" listed");
        }
        return sb.toString();
    }
}
