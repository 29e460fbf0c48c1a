package io.discordrag.indexer.udf.cli;

import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.ModelSpec;
import io.discordrag.indexer.udf.model.Pooling;
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
import java.util.Locale;

/**
 * {@code embed}: reads text lines (a file or stdin) and writes one JSON line per text,
 * {@code {"text":…,"vector":[…]}}, embedded in batches with the chosen model. Exit code 0 on success,
 * 2 on bad arguments, 1 on a failure.
 */
public final class EmbedCli {

    static final String USAGE = String.join("\n",
            "Usage: embed [--model ID] [--input FILE] [--batch-size N]",
            "       embed --onnx FILE --tokenizer FILE [--pooling mean|cls] [--max-tokens N] [--input FILE]",
            "",
            "Reads one text per line (FILE, or stdin when --input is absent) and writes one JSON line per",
            "text to stdout: {\"text\": ..., \"vector\": [...]} (L2-normalised).",
            "",
            "  --model ID        built-in model: " + String.join(", ", ModelRegistry.ids())
                    + " (default " + ModelRegistry.DEFAULT_MODEL + ")",
            "  --onnx FILE       custom model: ONNX file (with --tokenizer)",
            "  --tokenizer FILE  custom model: HuggingFace tokenizer.json",
            "  --pooling P       custom model pooling: mean (default) or cls",
            "  --max-tokens N    maximum input tokens (default: the model's, 256 for custom models)",
            "  --batch-size N    texts per inference batch (default 32)",
            "  --input FILE      read texts from FILE instead of stdin",
            "  --help            this text");

    private EmbedCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream stdin, OutputStream stdout, PrintStream stderr) {
        String modelId = ModelRegistry.DEFAULT_MODEL;
        String onnx = null;
        String tokenizer = null;
        Pooling pooling = Pooling.MEAN;
        Integer maxTokens = null;
        int batchSize = 32;
        String input = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help":
                    case "-h":
                        stderr.println(USAGE);
                        return 0;
                    case "--model":
                        modelId = value(args, ++i, arg);
                        break;
                    case "--onnx":
                        onnx = value(args, ++i, arg);
                        break;
                    case "--tokenizer":
                        tokenizer = value(args, ++i, arg);
                        break;
                    case "--pooling":
                        pooling = Pooling.valueOf(value(args, ++i, arg).toUpperCase(Locale.ROOT));
                        break;
                    case "--max-tokens":
                        maxTokens = Integer.parseInt(value(args, ++i, arg));
                        break;
                    case "--batch-size":
                        batchSize = Integer.parseInt(value(args, ++i, arg));
                        if (batchSize < 1) {
                            throw new IllegalArgumentException("--batch-size must be positive");
                        }
                        break;
                    case "--input":
                        input = value(args, ++i, arg);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if ((onnx == null) != (tokenizer == null)) {
                throw new IllegalArgumentException("--onnx and --tokenizer go together");
            }
        } catch (IllegalArgumentException e) {
            stderr.println("embed: " + e.getMessage());
            stderr.println(USAGE);
            return 2;
        }
        try {
            ModelSpec spec = onnx != null
                    ? ModelSpec.fromFiles("custom", Path.of(onnx), Path.of(tokenizer), pooling,
                            maxTokens == null ? 256 : maxTokens)
                    : ModelRegistry.builtIn(modelId);
            if (maxTokens != null && onnx == null) {
                spec = spec.withMaxTokens(maxTokens);
            }
            try (EmbeddingModel model = EmbeddingModel.load(spec, 0);
                    BufferedReader in = new BufferedReader(new InputStreamReader(
                            input == null ? stdin : Files.newInputStream(Path.of(input)), StandardCharsets.UTF_8));
                    Writer out = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8))) {
                List<String> batch = new ArrayList<>(batchSize);
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    batch.add(line);
                    if (batch.size() == batchSize) {
                        write(model, batch, out);
                    }
                }
                write(model, batch, out);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            stderr.println("embed: " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void write(EmbeddingModel model, List<String> batch, Writer out) throws IOException {
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
