package io.discordrag.indexer.udf.cli;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelSpec;
import io.discordrag.indexer.udf.model.NativeLibraries;

import org.apache.flink.configuration.Configuration;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * {@code embed}: reads text lines (a file or stdin) and writes one JSON line per text, {@code
 * {"text":…,"vector":[…]}}, embedded in batches with the chosen model. Options in the job's dialect
 * ({@link CommandLine}: {@code --key value}, {@code --config FILE}) and, where the job has one, the
 * job's key ({@link EmbedOptions}). Exit code 0 on success, 2 on bad arguments (one line on
 * standard error), 1 on a failure.
 */
public final class EmbedCli {

    static String usage() {
        return String.join(
                "\n",
                "Usage: embed [--embedding.model ID] [--input FILE] [--embedding.batch.max-size N] [--config FILE]",
                "       embed --onnx FILE --tokenizer FILE [--pooling mean|cls] [--max-tokens N] [--input FILE]",
                "",
                "Reads one text per line (FILE, or stdin when --input is absent) and writes one JSON line per",
                "text to stdout: {\"text\": ..., \"vector\": [...]} (L2-normalised).",
                "",
                EmbedOptions.commandLine().optionsHelp(),
                "Exit codes: 0 done, 1 failed, 2 bad arguments.");
    }

    private EmbedCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(
            String[] args, InputStream stdin, OutputStream stdout, PrintStream stderr) {
        if (CommandLine.asksForHelp(args)) {
            stderr.println(usage());
            return 0;
        }
        ModelSpec spec;
        int batchSize;
        String input;
        try {
            Configuration c = EmbedOptions.commandLine().parse(args).config();
            String onnx = c.get(EmbedOptions.ONNX);
            String tokenizer = c.get(EmbedOptions.TOKENIZER);
            checkArgument(
                    (onnx == null) == (tokenizer == null), "--onnx and --tokenizer go together");
            Integer maxTokens = c.get(EmbedOptions.MAX_TOKENS);
            checkArgument(
                    maxTokens == null || maxTokens >= 1,
                    "max-tokens must be positive, got %s",
                    maxTokens);
            input = c.get(EmbedOptions.INPUT);
            readable(EmbedOptions.INPUT.key(), input);
            if (onnx != null) {
                spec =
                        ModelSpec.fromFiles(
                                "custom",
                                readable(EmbedOptions.ONNX.key(), onnx),
                                readable(EmbedOptions.TOKENIZER.key(), tokenizer),
                                c.get(EmbedOptions.POOLING),
                                maxTokens == null ? 256 : maxTokens);
            } else {
                spec = EmbeddingOptions.builder().model(c.get(EmbedOptions.MODEL)).build().model();
                if (maxTokens != null) {
                    spec = spec.withMaxTokens(maxTokens);
                }
            }
            batchSize =
                    EmbeddingOptions.builder()
                            .maxBatchSize(c.get(EmbedOptions.BATCH_MAX_SIZE))
                            .build()
                            .maxBatchSize();
        } catch (IllegalArgumentException e) {
            stderr.println("embed: " + e.getMessage() + " (embed --help lists the options)");
            return 2;
        }
        try {
            NativeLibraries.require(); // before EmbeddingModel links against ONNX Runtime
        } catch (NativeLibraries.MissingException e) {
            stderr.println("embed: " + e.getMessage());
            return 1;
        }
        try (EmbeddingModel model = EmbeddingModel.load(spec, 0);
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        input == null
                                                ? stdin
                                                : Files.newInputStream(Path.of(input)),
                                        StandardCharsets.UTF_8));
                Writer out =
                        new BufferedWriter(
                                new OutputStreamWriter(stdout, StandardCharsets.UTF_8))) {
            List<String> batch = new ArrayList<>(batchSize);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                batch.add(line);
                if (batch.size() == batchSize) {
                    write(model, batch, out);
                }
            }
            write(model, batch, out);
            return 0;
        } catch (IOException | RuntimeException e) {
            stderr.println("embed: " + e.getMessage());
            return 1;
        }
    }

    /** The file, checked to be readable (null stays null). */
    private static Path readable(String key, String file) {
        if (file == null) {
            return null;
        }
        checkArgument(Files.isReadable(Path.of(file)), "%s: cannot read file %s", key, file);
        return Path.of(file);
    }

    private static void write(EmbeddingModel model, List<String> batch, Writer out)
            throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        float[][] vectors = model.embed(batch);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < batch.size(); i++) {
            sb.setLength(0);
            sb.append("{\"text\":");
            Json.appendString(sb, batch.get(i));
            sb.append(",\"vector\":[");
            for (int d = 0; d < vectors[i].length; d++) {
                if (d > 0) {
                    sb.append(',');
                }
                sb.append(vectors[i][d]);
            }
            sb.append("]}\n");
            out.write(sb.toString());
        }
        out.flush();
        batch.clear();
    }
}
