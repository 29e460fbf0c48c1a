package io.discordrag.indexer.job.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentSanitizerTest {

    @Test
    void keepsCharactersOutsideTheBmpAndReplacesOnlyUnpairedSurrogates() {
        String emoji = "ship it \uD83D\uDE80 \uD835\uDD18"; // rocket, mathematical fraktur U
        assertThat(ContentSanitizer.hasUnpairedSurrogate(emoji)).isFalse();
        assertThat(ContentSanitizer.replaceUnpairedSurrogates(emoji)).isEqualTo(emoji);

        assertThat(ContentSanitizer.hasUnpairedSurrogate("a\uD800b")).isTrue();
        assertThat(ContentSanitizer.replaceUnpairedSurrogates("a\uD800b")).isEqualTo("a\uFFFDb");
        assertThat(ContentSanitizer.replaceUnpairedSurrogates("\uDC00x\uD83D"))
                .isEqualTo("\uFFFDx\uFFFD");
    }

    @Test
    void truncatesLongTextAtACodePointBoundary() {
        String text = "a".repeat(ContentSanitizer.MAX_CHARS - 1) + "\uD83D\uDE80tail";
        String cut = ContentSanitizer.truncate(text);
        assertThat(cut).hasSize(ContentSanitizer.MAX_CHARS - 1);
        assertThat(ContentSanitizer.hasUnpairedSurrogate(cut)).isFalse();
        assertThat(ContentSanitizer.truncate("short")).isEqualTo("short");
    }
}
