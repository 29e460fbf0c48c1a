package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Deterministic UUIDv5 point ids. */
class PointIdsTest {

    @Test
    void uuidV5MatchesTheRfcTestVector() {
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(PointIds.uuidV5(dns, "www.example.com"))
                .isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void sameChunkSameIdAndVersion5() {
        UUID id = PointIds.forChunk(1, 2, 3);
        assertThat(PointIds.forChunk(1, 2, 3)).isEqualTo(id);
        assertThat(id.version()).isEqualTo(5);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void differentChunksDifferentIds() {
        Set<UUID> ids = new HashSet<>();
        for (long g = 1; g <= 5; g++) {
            for (long c = 1; c <= 5; c++) {
                for (long m = 1; m <= 20; m++) {
                    ids.add(PointIds.forChunk(g, c, m));
                }
            }
        }
        assertThat(ids).hasSize(500);
        // Unsigned snowflakes: no clash between a large id and its negative long form's digits.
        assertThat(PointIds.forChunk(-1L, 2, 3)).isNotEqualTo(PointIds.forChunk(1, 2, 3));
    }
}
