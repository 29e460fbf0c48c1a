package io.discordrag.indexer.job;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option's bad value ends the job's command line with exit 2 and one line naming the key,
 * before anything connects or runs (the options come from the fields, so a new option is covered or
 * fails).
 */
class IndexerJobOptionsTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return IndexerJob.run(
                args,
                new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private void assertOneLineNaming(String key) {
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(err.lines()).as(err).hasSize(1);
        assertThat(err).startsWith("discord-rag-indexer: ").contains(key).doesNotContain("\tat ");
    }

    @ParameterizedTest(name = "--{0} {1}")
    @MethodSource("io.discordrag.indexer.job.BadOptionValues#everyOption")
    void aBadValueExitsTwoWithOneLineNamingTheKey(String key, String bad) throws Exception {
        assertThat(run("--" + key, bad)).isEqualTo(2);
        assertOneLineNaming(key);
    }

    @ParameterizedTest(name = "--{0} {1}")
    @MethodSource("io.discordrag.indexer.job.BadOptionValues#everyTypedOption")
    void aValueOfTheWrongTypeExitsTwoWithOneLineNamingTheKey(String key, String bad)
            throws Exception {
        assertThat(run("--" + key + "=" + bad)).isEqualTo(2);
        assertOneLineNaming(key);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"--qdrant-host", "--qdrant-port", "--collection", "--model"})
    void anOldSpellingExitsTwoNamingTheNewKey(String old) throws Exception {
        assertThat(run(old, "x")).isEqualTo(2);
        assertOneLineNaming("use --");
    }
}
