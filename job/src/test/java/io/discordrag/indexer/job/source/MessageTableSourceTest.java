package io.discordrag.indexer.job.source;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MessageTableSourceTest {

    private static void assertCoversExactly(MessageTableSource.Ranges r) {
        assertThat(r.lower(0)).isEqualTo(r.min());
        for (int i = 0; i < r.count(); i++) {
            assertThat(r.upper(i)).as("range %d", i).isGreaterThanOrEqualTo(r.lower(i));
            if (i > 0) {
                assertThat(r.lower(i))
                        .as("range %d starts right after %d", i, i - 1)
                        .isEqualTo(r.upper(i - 1) + 1);
            }
        }
        assertThat(r.upper(r.count() - 1)).isEqualTo(r.max());
    }

    @Test
    void rangesCoverTheIdsWithoutGapOrOverlap() {
        MessageTableSource.Ranges snowflakes =
                MessageTableSource.Ranges.of(
                        1_187_000_000_000_000_000L, 1_574_942_741_204_029_440L, 1_000_000, 50_000);
        assertThat(snowflakes.count()).isEqualTo(20);
        assertCoversExactly(snowflakes);

        MessageTableSource.Ranges dense = MessageTableSource.Ranges.of(1, 600, 600, 40);
        assertThat(dense.count()).isEqualTo(15);
        assertCoversExactly(dense);
        assertThat(dense.upper(0) - dense.lower(0) + 1).isEqualTo(40);
    }

    @Test
    void smallTablesAndEmptyTablesGetOneRange() {
        assertThat(MessageTableSource.Ranges.of(5, 5, 1, 50_000).count()).isEqualTo(1);
        MessageTableSource.Ranges empty = MessageTableSource.Ranges.of(0, 0, 0, 50_000);
        assertThat(empty.count()).isEqualTo(1);
        assertCoversExactly(empty);
        MessageTableSource.Ranges few = MessageTableSource.Ranges.of(10, 13, 4, 1);
        assertThat(few.count()).isEqualTo(4);
        assertCoversExactly(few);
    }
}
