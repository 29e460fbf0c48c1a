package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.NativeLibraries;

import io.qdrant.client.QdrantClient;
import org.apache.flink.configuration.Configuration;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * {@code search --guild ID [--channel ID]... [--limit 5] [--threshold 0.5] [job options] "query"}:
 * embeds the query with the index's model ({@code embedding.model}) and prints the best sessions of
 * that guild from {@code qdrant.alias} (else {@code qdrant.collection}). It takes the job's dialect
 * and options ({@link SearchOptions#commandLine()}), so the job's {@code --config} file works as
 * is. Exit 0 on success, 2 on bad arguments (one line on standard error), 1 on a failure. The
 * Qdrant API key comes from the variable named by {@code qdrant.api-key-env} or from {@code
 * qdrant.api-key-file}, never from the command line.
 */
public final class SearchCli {

    static String usage() {
        return String.join(
                "\n",
                "Usage: search --guild ID [--channel ID]... [--limit N] [--threshold S] [--config FILE] [--key value]... "
                        + "\"query\"",
                "",
                CommandLine.of(SearchOptions.own()).optionsHelp()
                        + "  and every option of the job (discord-rag-indexer --help), e.g. --qdrant.host, --qdrant.port,",
                "  --qdrant.tls, --qdrant.api-key-file, --qdrant.collection, --qdrant.alias, --embedding.model.",
                "",
                "Exit codes: 0 done, 1 failed, 2 bad arguments.");
    }

    private static final int PREVIEW_CHARS = 160;

    private SearchCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (CommandLine.asksForHelp(args)) {
            out.println(usage());
            return 0;
        }
        IndexerConfig config;
        SearchRequest request;
        try {
            CommandLine.Parsed parsed = SearchOptions.commandLine().parse(args);
            request = request(parsed);
            config = IndexerConfig.of(parsed.config());
        } catch (IllegalArgumentException e) {
            err.println("search: " + e.getMessage() + " (search --help lists the options)");
            return 2;
        }
        String collection =
                config.getOptional(IndexerOptions.QDRANT_ALIAS)
                        .orElse(config.get(IndexerOptions.QDRANT_COLLECTION));
        try {
            NativeLibraries.require(); // before EmbeddingModel links against ONNX Runtime
        } catch (NativeLibraries.MissingException e) {
            err.println("search: " + e.getMessage());
            return 1;
        }
        try (EmbeddingModel embedder = EmbeddingModel.load(config.embedding().model(), 0);
                QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            List<SearchHit> hits =
                    new SessionSearch(client, collection, embedder::embed).search(request);
            if (hits.isEmpty()) {
                out.println(
                        "No sessions found in guild "
                                + Long.toUnsignedString(request.guildId())
                                + ".");
            }
            for (SearchHit h : hits) {
                out.println(format(h));
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("search: interrupted");
            return 1;
        } catch (RuntimeException e) {
            err.println("search: " + e.getMessage());
            return 1;
        }
    }

    private static SearchRequest request(CommandLine.Parsed parsed) {
        Configuration c = parsed.config();
        String guild =
                c.getOptional(SearchOptions.GUILD)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "--guild is required: searches never cross guilds"));
        checkArgument(
                parsed.arguments().size() <= 1,
                "one query only (quote it): %s",
                parsed.arguments());
        String query = parsed.arguments().isEmpty() ? "" : parsed.arguments().get(0);
        checkArgument(!query.isBlank(), "a query is required");
        List<Long> channels =
                c.getOptional(SearchOptions.CHANNEL).orElse(List.of()).stream()
                        .map(ch -> CommandLine.snowflake(SearchOptions.CHANNEL.key(), ch))
                        .toList();
        SearchRequest.Builder b =
                SearchRequest.builder(
                                CommandLine.snowflake(SearchOptions.GUILD.key(), guild), query)
                        .channels(channels)
                        .limit(c.get(SearchOptions.LIMIT));
        c.getOptional(SearchOptions.THRESHOLD).ifPresent(b::threshold);
        return b.build();
    }

    static String format(SearchHit h) {
        String preview = h.content().replaceAll("\\s+", " ");
        if (preview.length() > PREVIEW_CHARS) {
            preview = preview.substring(0, PREVIEW_CHARS - 1) + "…";
        }
        return String.format(
                Locale.ROOT,
                "%.4f  channel %d  conversation %d  %s .. %s  authors %s%n        %s",
                h.score(),
                h.channelId(),
                h.conversationId(),
                h.startTime(),
                h.endTime(),
                h.authorIds(),
                preview);
    }
}
