package io.discordrag.indexer.job.verify;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.job.sink.qdrant.QdrantClients;
import io.discordrag.indexer.udf.cli.CommandLine;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import io.qdrant.client.QdrantClient;
import org.apache.flink.configuration.Configuration;

import java.io.PrintStream;
import java.time.Duration;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * {@code verify [--guild ID] [--max-findings N] [job options]}: checks the index against Postgres
 * with {@link IndexVerifier}, using the job's own options (same {@code --config} file, same secrets
 * from the environment) in the job's dialect ({@link VerifyOptions#commandLine()}). Findings go to
 * standard output one per line, then a summary; progress goes to standard error. Exit codes: 0
 * clean, 1 inconsistencies found, 2 bad arguments (one line on standard error), 3 could not
 * complete.
 */
public final class VerifyCommand {

    public static final int CLEAN = 0;
    public static final int INCONSISTENT = 1;
    public static final int BAD_ARGUMENTS = 2;
    public static final int FAILED = 3;
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    static String usage() {
        return String.join(
                "\n",
                "Usage: verify [--guild ID] [--max-findings N] [--config FILE] [--key value]...",
                "",
                "Compares Postgres with the Qdrant collection and lists, with ids: messages that should be indexed",
                "but are not (UNCOVERED), points with no live message (ORPHAN), points whose messages, content or",
                "model disagree with Postgres (STALE), points in the wrong guild (WRONG_GUILD), and messages whose",
                "qdrant_point_id does not name their point (WRITE_BACK). Uses the job's options (connection,",
                "session.*, embedding.model). Check a settled index: sessions still open in a running job show up",
                "as uncovered.",
                "",
                CommandLine.of(VerifyOptions.own()).optionsHelp()
                        + "  and every option of the job (discord-rag-indexer --help).",
                "",
                "Exit codes: 0 clean, 1 inconsistencies found, 2 bad arguments, 3 could not complete.");
    }

    private VerifyCommand() {}

    /** Parsed command line: the guild (or null), the listing cap and the job's configuration. */
    record Arguments(Long guild, int maxFindings, IndexerConfig config) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (CommandLine.asksForHelp(args)) {
            out.println(usage());
            return CLEAN;
        }
        Arguments a;
        try {
            a = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("verify: " + e.getMessage() + " (verify --help lists the options)");
            return BAD_ARGUMENTS;
        }
        return execute(a.config(), a.guild(), a.maxFindings(), out, err);
    }

    /** The parsed and validated arguments. */
    static Arguments parse(String[] args) {
        Configuration parsed = VerifyOptions.commandLine().parse(args).config();
        Long guild =
                parsed.getOptional(VerifyOptions.GUILD)
                        .map(g -> CommandLine.snowflake(VerifyOptions.GUILD.key(), g))
                        .orElse(null);
        int maxFindings = parsed.get(VerifyOptions.MAX_FINDINGS);
        checkArgument(
                maxFindings >= 0, "max-findings needs a count of 0 or more, got %s", maxFindings);
        return new Arguments(guild, maxFindings, IndexerConfig.of(parsed));
    }

    /** Runs the verification and prints it; returns the exit code. */
    public static int execute(
            IndexerConfig config, Long guild, int maxFindings, PrintStream out, PrintStream err) {
        String collection = config.get(IndexerOptions.QDRANT_COLLECTION);
        err.println(
                "verify: "
                        + (guild == null ? "every guild" : "guild " + Long.toUnsignedString(guild))
                        + " of collection "
                        + collection
                        + " against "
                        + config.postgres().jdbcUrl());
        try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(config.embedding());
                QdrantClient client = QdrantClients.create(config.qdrantConnection())) {
            IndexVerifier verifier =
                    new IndexVerifier(
                            config.postgres(),
                            client,
                            collection,
                            config.sessions(),
                            config.embedding().model().id(),
                            lease.model().tokenizer()::countTokens,
                            err::println,
                            PROGRESS_INTERVAL);
            VerifyReport report = verifier.verify(guild, maxFindings);
            for (Finding f : report.findings()) {
                out.println(f);
            }
            out.println(report.summary());
            return report.clean() ? CLEAN : INCONSISTENT;
        } catch (Exception e) {
            Throwable cause =
                    e.getCause() != null && e instanceof java.util.concurrent.ExecutionException
                            ? e.getCause()
                            : e;
            err.println("verify: could not complete: " + cause);
            return FAILED;
        }
    }
}
