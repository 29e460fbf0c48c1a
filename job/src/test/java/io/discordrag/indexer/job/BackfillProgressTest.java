package io.discordrag.indexer.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.discordrag.indexer.job.sink.jdbc.WriteBackCounter;
import io.discordrag.indexer.job.source.ChangeInterpreter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backfill's progress line: rows of the estimate, points, throughput and time left. */
class BackfillProgressTest {

    @Test
    void reportsRowsOfTheEstimatePointsRateAndTimeLeft() {
        long tenSecondsAgo = System.nanoTime() - Duration.ofSeconds(10).toNanos();
        String line = BackfillProgress.line(Map.of(ChangeInterpreter.ROWS_READ, 250_000L,
                WriteBackCounter.POINTS_UPSERTED, 4_000L, WriteBackCounter.POINTS_DELETED, 0L), 1_000_000, tenSecondsAgo,
                false);
        assertThat(line).startsWith("backfill: 250,000 of ~1,000,000 rows (25%) read, 4,000 points written, 0 deleted;")
                .containsPattern("2[45]\\d{3} rows/s").containsPattern("reading done in ~3\\d s");
        String done = BackfillProgress.line(Map.of(ChangeInterpreter.ROWS_READ, 1_000_000L), 1_000_000, tenSecondsAgo,
                true);
        assertThat(done).startsWith("backfill: finished — 1,000,000 of ~1,000,000 rows (100%) read").doesNotContain("done in");
    }
}
