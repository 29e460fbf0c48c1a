package io.discordrag.indexer.job.search;

import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.job.sink.qdrant.QdrantCollectionOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantConnectionOptions;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.qdrant.client.QdrantClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code search --guild <id> [--channel <id>]… [--limit 5] [--threshold 0.5] "query"}: embeds the query
 * with the index's model and prints the best sessions of that guild. Exit 0 on success, 2 on bad
 * arguments, 1 on a failure. The Qdrant API key comes from {@code QDRANT_API_KEY} or
 * {@code --qdrant-api-key-file}, never from the command line.
 */
public final class SearchCli {

    static final String USAGE = String.join("\n",
            "Usage: search --guild ID [--channel ID]... [--limit N] [--threshold S] [options] \"query\"",
            "",
            "  --guild ID               guild to search in (required: searches never cross guilds)",
            "  --channel ID             only these channels (repeatable)",
            "  --limit N                most sessions to show (default 5)",
            "  --threshold S            only sessions scoring above S (cosine, -1..1)",
            "  --model ID               the index's model (default " + ModelRegistry.DEFAULT_MODEL + ")",
            "  --collection NAME        collection or alias (default " + QdrantCollectionOptions.DEFAULT_COLLECTION + ")",
            "  --qdrant-host HOST       default localhost",
            "  --qdrant-port PORT       gRPC port, default 6334",
            "  --qdrant-tls             use TLS",
            "  --qdrant-api-key-file F  read the API key from F (else env QDRANT_API_KEY)");

    private static final int PREVIEW_CHARS = 160;

    private SearchCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Long guild = null;
        List<Long> channels = new ArrayList<>();
        int limit = SearchRequest.DEFAULT_LIMIT;
        Float threshold = null;
        String model = ModelRegistry.DEFAULT_MODEL;
        String collection = QdrantCollectionOptions.DEFAULT_COLLECTION;
        QdrantConnectionOptions.Builder connection = QdrantConnectionOptions.builder();
        String query = null;
        SearchRequest request;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help":
                    case "-h":
                        out.println(USAGE);
                        return 0;
                    case "--guild":
                        guild = Long.parseLong(value(args, ++i, a));
                        break;
                    case "--channel":
                        channels.add(Long.parseLong(value(args, ++i, a)));
                        break;
                    case "--limit":
                        limit = Integer.parseInt(value(args, ++i, a));
                        break;
                    case "--threshold":
                        threshold = Float.parseFloat(value(args, ++i, a));
                        break;
                    case "--model":
                        model = value(args, ++i, a);
                        break;
                    case "--collection":
                        collection = value(args, ++i, a);
                        break;
                    case "--qdrant-host":
                        connection.host(value(args, ++i, a));
                        break;
                    case "--qdrant-port":
                        connection.port(Integer.parseInt(value(args, ++i, a)));
                        break;
                    case "--qdrant-tls":
                        connection.tls(true);
                        break;
                    case "--qdrant-api-key-file":
                        connection.apiKeyFile(value(args, ++i, a));
                        break;
                    default:
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        if (query != null) {
                            throw new IllegalArgumentException("one query only (quote it): " + a);
                        }
                        query = a;
                }
            }
            if (guild == null) {
                throw new IllegalArgumentException("--guild is required: searches never cross guilds");
            }
            if (query == null || query.isBlank()) {
                throw new IllegalArgumentException("a query is required");
            }
            SearchRequest.Builder b = SearchRequest.builder(guild, query).channels(channels).limit(limit);
            if (threshold != null) {
                b.threshold(threshold);
            }
            request = b.build();
            ModelRegistry.builtIn(model);
        } catch (IllegalArgumentException e) {
            err.println("search: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try (EmbeddingModel embedder = EmbeddingModel.load(ModelRegistry.builtIn(model), 0);
                QdrantClient client = QdrantClients.create(connection.build())) {
            List<SearchHit> hits = new SessionSearch(client, collection, embedder::embed).search(request);
            if (hits.isEmpty()) {
                out.println("No sessions found in guild " + request.guildId() + ".");
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

    static String format(SearchHit h) {
        String preview = h.content().replaceAll("\\s+", " ");
        if (preview.length() > PREVIEW_CHARS) {
            preview = preview.substring(0, PREVIEW_CHARS - 1) + "…";
        }
        return String.format(Locale.ROOT, "%.4f  channel %d  %s .. %s  authors %s%n        %s", h.score(),
                h.channelId(), h.startTime(), h.endTime(), h.authorIds(), preview);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
