package io.discordrag.indexer.job.session;

import io.discordrag.indexer.job.config.PostgresOptions;
import io.discordrag.indexer.job.e2e.LogCapture;
import io.discordrag.indexer.job.source.MessageChange;
import io.discordrag.indexer.job.source.MessageRow;

import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad rows are all counted, but a table full of them cannot flood the log. */
class ChangeInterpreterLoggingTest {

    @Test
    void theFirstHundredSkipsOfAReasonAreLoggedWithTheirIdsThenOneLinePerTenThousand()
            throws Exception {
        ChangeInterpreter interpreter =
                new ChangeInterpreter(
                        // rows that are skipped never reach a name lookup: no server is needed
                        PostgresOptions.builder().password("unused").build(),
                        Duration.ofMinutes(10));
        try (LogCapture log = LogCapture.of(ChangeInterpreter.class);
                OneInputStreamOperatorTestHarness<
                                MessageChange, io.discordrag.indexer.job.session.ChannelEvent>
                        harness =
                                new OneInputStreamOperatorTestHarness<>(
                                        new StreamFlatMap<>(interpreter))) {
            harness.open();
            Instant beforeDiscord = Instant.parse("2010-01-01T00:00:00Z");
            for (long id = 1; id <= 10_050; id++) {
                MessageRow row =
                        new MessageRow(id, 2, 3, 4, "hi", beforeDiscord, null, false, null);
                harness.processElement(
                        new MessageChange(MessageChange.Kind.SNAPSHOT, null, row, 0, 0), id);
            }
            assertThat(harness.extractOutputValues()).as("every such row is skipped").isEmpty();
            List<String> lines = log.lines();
            assertThat(lines).hasSize(101);
            assertThat(lines.get(0))
                    .startsWith("WARN Message 1 (guild 2, channel 3): timestampOutOfRange");
            assertThat(lines.get(99))
                    .contains("Message 100 ")
                    .contains(
                            "further ones are counted in the metric "
                                    + "rowsSkipped{reason=timestampOutOfRange} and logged once every 10000");
            assertThat(lines.get(100))
                    .contains("10000 messages so far in this subtask: timestampOutOfRange")
                    .contains("latest message 10000");
        }
    }
}
