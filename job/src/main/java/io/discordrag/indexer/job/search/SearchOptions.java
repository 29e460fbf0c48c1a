package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.udf.cli.CommandLine;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * The options of {@code search} besides the job's own ({@link IndexerOptions}): search takes those
 * too, so it reads the job's {@code --config} file and reaches the same Qdrant (connection, API key
 * variable or file, {@code qdrant.alias} else {@code qdrant.collection}) with the same {@code
 * embedding.model}. {@link #commandLine()} accepts every field of both classes and the query as a
 * positional argument.
 */
public final class SearchOptions {

    private SearchOptions() {}

    public static final ConfigOption<String> GUILD =
            ConfigOptions.key("guild")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Guild to search in (required: searches never cross guilds).");

    public static final ConfigOption<List<String>> CHANNEL =
            ConfigOptions.key("channel")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Only these channels (repeat the option for several; default: every channel).");

    public static final ConfigOption<Integer> LIMIT =
            ConfigOptions.key("limit")
                    .intType()
                    .defaultValue(SearchRequest.DEFAULT_LIMIT)
                    .withDescription("Most sessions to show (1..1000).");

    public static final ConfigOption<Float> THRESHOLD =
            ConfigOptions.key("threshold")
                    .floatType()
                    .noDefaultValue()
                    .withDescription("Only sessions scoring above this cosine score (-1..1).");

    /** search's own options, sorted by key. */
    public static List<ConfigOption<?>> own() {
        return CommandLine.declaredIn(SearchOptions.class);
    }

    /** search's command line: its own options, the job's, and the query. */
    public static CommandLine commandLine() {
        return CommandLine.of(CommandLine.concat(own(), IndexerOptions.all()))
                .withArguments()
                .repeating(CHANNEL);
    }
}
