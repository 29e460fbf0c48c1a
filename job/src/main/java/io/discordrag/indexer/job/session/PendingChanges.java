package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.source.MessageChange;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Postgres commit times of the earliest changes, by type, that a point update carries to the
 * index (0 where none): what the commit-to-Qdrant lag metric is measured from. Snapshot reads carry
 * none.
 */
public record PendingChanges(
        long insertCommitMillis, long editCommitMillis, long deleteCommitMillis) {

    public static final PendingChanges NONE = new PendingChanges(0, 0, 0);

    /** This plus one change (the earliest commit time per type is kept). */
    public PendingChanges with(ChannelEvent event) {
        long t = event.commitTimeMillis();
        if (t <= 0 || event.change() == MessageChange.Kind.SNAPSHOT) {
            return this;
        }
        if (event.kind() == ChannelEvent.Kind.REMOVE) {
            return new PendingChanges(
                    insertCommitMillis, editCommitMillis, earliest(deleteCommitMillis, t));
        }
        if (event.change() == MessageChange.Kind.INSERT) {
            return new PendingChanges(
                    earliest(insertCommitMillis, t), editCommitMillis, deleteCommitMillis);
        }
        return new PendingChanges(
                insertCommitMillis, earliest(editCommitMillis, t), deleteCommitMillis);
    }

    /**
     * Commit times by type name ({@code insert}, {@code edit}, {@code delete}), only those present.
     */
    public Map<String, Long> byType() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (insertCommitMillis > 0) {
            out.put("insert", insertCommitMillis);
        }
        if (editCommitMillis > 0) {
            out.put("edit", editCommitMillis);
        }
        if (deleteCommitMillis > 0) {
            out.put("delete", deleteCommitMillis);
        }
        return out;
    }

    private static long earliest(long current, long t) {
        return current == 0 ? t : Math.min(current, t);
    }
}
