package io.discordrag.indexer.job;

import io.discordrag.indexer.job.session.ChangeInterpreter;
import io.discordrag.indexer.job.sink.jdbc.WriteBackCounter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The backfill's progress line: rows of the estimate, points, throughput and time left. */
class BackfillProgressTest {

    @Test
    void reportsRowsOfTheEstimatePointsRateAndTimeLeft() {
        long tenSecondsAgo = System.nanoTime() - Duration.ofSeconds(10).toNanos();
        String line =
                BackfillProgress.line(
                        Map.of(
                                ChangeInterpreter.ROWS_READ,
                                250_000L,
                                WriteBackCounter.WRITE_BACK_POINTS_UPSERTED,
                                4_000L,
                                WriteBackCounter.WRITE_BACK_POINTS_DELETED,
                                0L),
                        1_000_000,
                        tenSecondsAgo,
                        false);
        assertThat(line)
                .startsWith(
                        "backfill: 250,000 of ~1,000,000 rows (25%) read, "
                                + "4,000 points written (0 messages), 0 deleted;")
                .containsPattern("2[45]\\d{3} rows/s")
                .containsPattern("reading done in ~3\\d s");
        // Reading done: the time left is the embedding's, from the messages indexed so far (100,000
        // in
        // 10 s -> 10,000/s; 900,000 to go -> 90 s).
        String embedding =
                BackfillProgress.line(
                        Map.of(
                                ChangeInterpreter.ROWS_READ,
                                1_000_000L,
                                WriteBackCounter.WRITE_BACK_POINTS_UPSERTED,
                                17_000L,
                                WriteBackCounter.WRITE_BACK_MESSAGES_INDEXED,
                                100_000L),
                        1_000_000,
                        tenSecondsAgo,
                        false);
        assertThat(embedding)
                .contains("17,000 points written (100,000 messages)")
                .containsPattern("about (8\\d|9\\d) s left at (9\\d{3}|10000) messages/s indexed")
                .doesNotContain("reading done");
        String done =
                BackfillProgress.line(
                        Map.of(ChangeInterpreter.ROWS_READ, 1_000_000L),
                        1_000_000,
                        tenSecondsAgo,
                        true);
        assertThat(done)
                .startsWith("backfill: finished — 1,000,000 of ~1,000,000 rows (100%) read")
                .doesNotContain("done in")
                .doesNotContain("left");
    }
}
