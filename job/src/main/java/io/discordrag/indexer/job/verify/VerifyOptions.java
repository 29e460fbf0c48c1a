package io.discordrag.indexer.job.verify;

import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.udf.cli.CommandLine;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * The options of {@code verify} besides the job's own ({@link IndexerOptions}), which it takes too,
 * so it reads the job's {@code --config} file and rebuilds sessions exactly as the job does. {@link
 * #commandLine()} accepts every field of both classes.
 */
public final class VerifyOptions {

    private VerifyOptions() {}

    public static final ConfigOption<String> GUILD =
            ConfigOptions.key("guild")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Verify one guild (its id); default: every guild, and points outside any guild.");

    public static final ConfigOption<Integer> MAX_FINDINGS =
            ConfigOptions.key("max-findings")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("List at most this many findings (counts stay exact).");

    /** verify's own options, sorted by key. */
    public static List<ConfigOption<?>> own() {
        return CommandLine.declaredIn(VerifyOptions.class);
    }

    /** verify's command line: its own options and the job's. */
    public static CommandLine commandLine() {
        return CommandLine.of(CommandLine.concat(own(), IndexerOptions.all()));
    }
}
