package io.discordrag.indexer.job.verify;

import io.discordrag.indexer.job.BadOptionValues;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify's command line: the job's dialect and options plus its own; bad arguments exit 2 with one
 * line.
 */
class VerifyCommandTest {

    private static String refused(String... args) {
        return BadOptionValues.refusedWithOneLine(VerifyCommand::run, "verify: ", args);
    }

    @ParameterizedTest(name = "--{0} {1}")
    @MethodSource("io.discordrag.indexer.job.BadOptionValues#everyOption")
    void aBadValueOfAJobOptionExitsTwoWithOneLine(String key, String bad) {
        assertThat(refused("--" + key, bad)).contains(key);
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource({"guild, -1", "guild, abc", "max-findings, -1", "max-findings, all"})
    void aBadValueOfAVerifyOptionExitsTwoWithOneLine(String key, String bad) {
        assertThat(refused("--" + key, bad)).contains(key);
    }

    @Test
    void everyVerifyOptionHasABadValueCase() {
        assertThat(VerifyOptions.own().stream().map(ConfigOption::key))
                .containsExactlyInAnyOrder("guild", "max-findings");
    }

    @Test
    void guildsAreUnsigned64BitIdsAndJobOptionsAreRead() {
        VerifyCommand.Arguments a =
                VerifyCommand.parse(
                        new String[] {
                            "--guild=18446744073709551615",
                            "--max-findings",
                            "7",
                            "--qdrant.collection",
                            "c2"
                        });
        assertThat(a.guild()).isEqualTo(-1L);
        assertThat(a.maxFindings()).isEqualTo(7);
        assertThat(a.config().qdrantCollection().collection()).isEqualTo("c2");
    }

    @Test
    void oldSpellingsNameTheKeyToUse() {
        assertThat(refused("--qdrant-host", "h")).contains("use --qdrant.host");
        assertThat(refused("--collection", "c")).contains("use --qdrant.collection");
    }

    @Test
    void helpListsVerifysOwnOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(
                        VerifyCommand.run(
                                new String[] {"--help"},
                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                new PrintStream(new ByteArrayOutputStream())))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--guild")
                .contains("--max-findings")
                .contains("default: 1000");
    }
}
