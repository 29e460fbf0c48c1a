package io.discordrag.indexer.udf.cli;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.Pooling;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * The options of the {@code embed} command. The model and batch size use the job's keys ({@code
 * embedding.model}, {@code embedding.batch.max-size}, with the same defaults; a job test checks
 * they agree), the rest are embed's own. {@link #commandLine()} accepts exactly the fields of this
 * class.
 */
public final class EmbedOptions {

    private EmbedOptions() {}

    public static final ConfigOption<String> MODEL =
            ConfigOptions.key("embedding.model")
                    .stringType()
                    .defaultValue(ModelRegistry.DEFAULT_MODEL)
                    .withDescription(
                            "Built-in embedding model, one of " + ModelRegistry.ids() + ".");

    public static final ConfigOption<Integer> BATCH_MAX_SIZE =
            ConfigOptions.key("embedding.batch.max-size")
                    .intType()
                    .defaultValue(EmbeddingOptions.DEFAULT_MAX_BATCH_SIZE)
                    .withDescription("Texts per inference batch.");

    public static final ConfigOption<String> INPUT =
            ConfigOptions.key("input")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("File of texts, one per line (default: standard input).");

    public static final ConfigOption<String> ONNX =
            ConfigOptions.key("onnx")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Custom model instead of embedding.model: its ONNX file (with --tokenizer).");

    public static final ConfigOption<String> TOKENIZER =
            ConfigOptions.key("tokenizer")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Custom model: its HuggingFace tokenizer.json (with --onnx).");

    public static final ConfigOption<Pooling> POOLING =
            ConfigOptions.key("pooling")
                    .enumType(Pooling.class)
                    .defaultValue(Pooling.MEAN)
                    .withDescription("Custom model: pooling, mean or cls.");

    public static final ConfigOption<Integer> MAX_TOKENS =
            ConfigOptions.key("max-tokens")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Most input tokens per text (default: the model's; 256 for a custom model).");

    /** embed's options, sorted by key. */
    public static List<ConfigOption<?>> all() {
        return CommandLine.declaredIn(EmbedOptions.class);
    }

    /** embed's command line. */
    public static CommandLine commandLine() {
        return CommandLine.of(all());
    }
}
