package io.discordrag.indexer.job.commit;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Records pass only once the checkpoint covering them completes; a restore releases them again. */
class ReleaseAfterCheckpointTest {

    private static final int MAX_PARALLELISM = 128;

    private static OneInputStreamOperatorTestHarness<String, String> harness(
            int parallelism, int index) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new ReleaseAfterCheckpoint<>(
                        Types.STRING, (String s) -> s.substring(0, s.indexOf('/'))),
                MAX_PARALLELISM,
                parallelism,
                index);
    }

    private static List<String> out(OneInputStreamOperatorTestHarness<String, String> h) {
        List<String> values = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return values;
    }

    @Test
    void recordsWaitForTheCheckpointThatCoversThem() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement("a/1", 0);
            h.processElement("b/1", 0);
            assertThat(out(h)).as("nothing passes before a checkpoint").isEmpty();
            h.snapshot(1, 0);
            h.processElement("a/2", 0); // after checkpoint 1's barrier: belongs to checkpoint 2
            assertThat(out(h)).isEmpty();
            assertThat(((ReleaseAfterCheckpoint<String>) h.getOneInputOperator()).held())
                    .isEqualTo(3);
            h.notifyOfCompletedCheckpoint(1);
            assertThat(out(h)).containsExactly("a/1", "b/1");
            assertThat(((ReleaseAfterCheckpoint<String>) h.getOneInputOperator()).held())
                    .isEqualTo(1);
            h.snapshot(2, 0);
            h.snapshot(3, 0);
            h.processElement("c/1", 0);
            h.notifyOfCompletedCheckpoint(3); // 2's notification was skipped: 3 subsumes it
            assertThat(out(h)).containsExactly("a/2");
        }
    }

    @Test
    void aFailureBeforeCompletionDropsWhatTheRestoredStateWillRecomputeAndReleasesTheRest()
            throws Exception {
        OperatorSubtaskState checkpoint1;
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement("a/1", 0);
            checkpoint1 = h.snapshot(1, 0);
            h.processElement("a/2", 0); // never covered by a completed checkpoint
            h.snapshot(2, 0);
            // the job fails here: checkpoint 1 completed, but its notification never arrived
        }
        try (var h = harness(1, 0)) {
            h.initializeState(checkpoint1);
            h.open();
            h.setProcessingTime(1); // the release timer registered on open
            assertThat(out(h))
                    .as("the restored checkpoint's records, again; not a/2")
                    .containsExactly("a/1");
            h.processElement("a/2'", 0);
            h.snapshot(2, 0);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(out(h)).containsExactly("a/2'");
        }
    }

    @Test
    void afterRescalingEachRecordIsReleasedOnceByTheSubtaskOwningItsKey() throws Exception {
        OperatorSubtaskState state;
        try (var h = harness(1, 0)) {
            h.open();
            for (String k : List.of("a", "b", "c", "d", "e", "f")) {
                h.processElement(k + "/1", 0);
                h.processElement(k + "/2", 0);
            }
            state = h.snapshot(1, 0);
        }
        List<String> released = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (var h = harness(2, i)) {
                h.initializeState(
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                state, MAX_PARALLELISM, 1, 2, i));
                h.open();
                h.setProcessingTime(1);
                List<String> mine = out(h);
                for (String k : List.of("a", "b", "c", "d", "e", "f")) {
                    List<String> ofKey = mine.stream().filter(s -> s.startsWith(k + "/")).toList();
                    assertThat(ofKey)
                            .as("key %s on subtask %d", k, i)
                            .isIn(List.of(), List.of(k + "/1", k + "/2"));
                }
                released.addAll(mine);
            }
        }
        assertThat(released).hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void endOfInputReleasesEverything() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement("a/1", 0);
            h.snapshot(1, 0);
            h.processElement("a/2", 0);
            h.endInput();
            assertThat(out(h)).containsExactly("a/1", "a/2");
        }
    }
}
