package io.discordrag.indexer.demo;

import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.model.ModelRegistry;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The demo's few options, in the job's dialect ({@code --key value}, {@code --config FILE}); the
 * model uses the job's key. {@link #commandLine()} accepts exactly the fields of this class.
 */
public final class DemoOptions {

    private DemoOptions() {}

    public static final ConfigOption<Integer> MESSAGES =
            ConfigOptions.key("messages")
                    .intType()
                    .defaultValue(3000)
                    .withDescription("Generated sample messages.");

    public static final ConfigOption<String> MODEL =
            ConfigOptions.key("embedding.model")
                    .stringType()
                    .defaultValue(ModelRegistry.ALL_MINILM_L6_V2_Q)
                    .withDescription("Embedding model, one of " + ModelRegistry.ids() + ".");

    public static final ConfigOption<Integer> UI_PORT =
            ConfigOptions.key("ui-port")
                    .intType()
                    .defaultValue(8081)
                    .withDescription(
                            "Port of the Flink Web UI (a free one if taken; 0: any free port).");

    public static final ConfigOption<Integer> LINGER =
            ConfigOptions.key("linger")
                    .intType()
                    .defaultValue(0)
                    .withDescription("Seconds the cluster and its Web UI stay up after the demo.");

    /** The demo's command line. */
    public static CommandLine commandLine() {
        return CommandLine.of(CommandLine.declaredIn(DemoOptions.class));
    }
}
