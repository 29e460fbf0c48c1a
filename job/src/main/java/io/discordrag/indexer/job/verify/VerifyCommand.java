package io.discordrag.indexer.job.verify;

import io.discordrag.indexer.job.config.IndexerConfig;
import io.discordrag.indexer.job.config.IndexerOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;
import io.qdrant.client.QdrantClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify [--guild ID] [--max-findings N] [job options]}: checks the index against Postgres with
 * {@link IndexVerifier}, using the job's own options (same {@code --config} file, same secrets from the
 * environment). Findings go to standard output one per line, then a summary; progress goes to standard
 * error. Exit codes: 0 clean, 1 inconsistencies found, 2 bad arguments, 3 could not complete.
 */
public final class VerifyCommand {

    public static final int CLEAN = 0;
    public static final int INCONSISTENT = 1;
    public static final int BAD_ARGUMENTS = 2;
    public static final int FAILED = 3;
    static final int DEFAULT_MAX_FINDINGS = 1000;
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    static final String USAGE = String.join("\n",
            "Usage: verify [--guild ID] [--max-findings N] [job options, e.g. --config FILE]",
            "",
            "Compares Postgres with the Qdrant collection and lists, with ids: messages that should be indexed",
            "but are not (UNCOVERED), points with no live message (ORPHAN), points whose messages, content or",
            "model disagree with Postgres (STALE), points in the wrong guild (WRONG_GUILD), and messages whose",
            "qdrant_point_id does not name their point (WRITE_BACK). Uses the job's options (connection,",
            "session.*, embedding.model). Check a settled index: sessions still open in a running job show up",
            "as uncovered.",
            "",
            "  --guild ID        verify one guild (default: every guild, and points outside any guild)",
            "  --max-findings N  list at most N findings (default " + DEFAULT_MAX_FINDINGS + "; counts stay exact)",
            "",
            "Exit codes: 0 clean, 1 inconsistencies found, 2 bad arguments, 3 could not complete.");

    private VerifyCommand() {}

    /** Parsed command line: the guild (or null), the listing cap and the job's configuration. */
    record Arguments(Long guild, int maxFindings, IndexerConfig config) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments a;
        try {
            a = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("verify: " + e.getMessage());
            err.println(USAGE);
            return BAD_ARGUMENTS;
        }
        if (a == null) {
            out.println(USAGE);
            return CLEAN;
        }
        return execute(a.config(), a.guild(), a.maxFindings(), out, err);
    }

    /** The parsed arguments, or null when help was asked for. */
    static Arguments parse(String[] args) {
        Long guild = null;
        int maxFindings = DEFAULT_MAX_FINDINGS;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            } else if (arg.equals("--guild") || arg.startsWith("--guild=")) {
                String v = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : value(args, ++i, arg);
                try {
                    guild = Long.parseUnsignedLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--guild needs a numeric guild id, got '" + v + "'");
                }
            } else if (arg.equals("--max-findings") || arg.startsWith("--max-findings=")) {
                String v = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : value(args, ++i, arg);
                try {
                    maxFindings = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    maxFindings = -1;
                }
                if (maxFindings < 0) {
                    throw new IllegalArgumentException("--max-findings needs a count of 0 or more, got '" + v + "'");
                }
            } else {
                rest.add(arg);
            }
        }
        IndexerConfig config;
        try {
            config = IndexerConfig.fromArgs(rest.toArray(new String[0]));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the --config file: " + e.getMessage(), e);
        }
        config.postgres();
        config.sessions();
        config.embedding();
        return new Arguments(guild, maxFindings, config);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** Runs the verification and prints it; returns the exit code. */
    public static int execute(IndexerConfig config, Long guild, int maxFindings, PrintStream out, PrintStream err) {
        String collection = config.get(IndexerOptions.QDRANT_COLLECTION);
        err.println("verify: " + (guild == null ? "every guild" : "guild " + Long.toUnsignedString(guild))
                + " of collection " + collection + " against " + config.postgres().jdbcUrl());
        try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(config.embedding());
                QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            IndexVerifier verifier = new IndexVerifier(config.postgres(), client, collection, config.sessions(),
                    config.embedding().model().id(), lease.model().tokenizer()::countTokens, err::println,
                    PROGRESS_INTERVAL);
            VerifyReport report = verifier.verify(guild, maxFindings);
            for (Finding f : report.findings()) {
                out.println(f);
            }
            out.println(report.summary());
            return report.clean() ? CLEAN : INCONSISTENT;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.ExecutionException
                    ? e.getCause() : e;
            err.println("verify: could not complete: " + cause);
            return FAILED;
        }
    }
}
