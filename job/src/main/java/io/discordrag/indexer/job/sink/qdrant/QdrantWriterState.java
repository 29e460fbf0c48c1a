package io.discordrag.indexer.job.sink.qdrant;

import java.util.List;

/**
 * What a Qdrant sink writer checkpoints: the point operations Qdrant has not acknowledged yet, in
 * the order they must be applied (the batch in flight first, then the buffer). A writer restored
 * from it writes them before anything new, so a restore reproduces every write the checkpoint
 * stands behind.
 */
public record QdrantWriterState(List<PointOperation> operations) {

    public QdrantWriterState {
        operations = List.copyOf(operations);
    }
}
