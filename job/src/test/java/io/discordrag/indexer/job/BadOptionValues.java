package io.discordrag.indexer.job;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.params.provider.Arguments;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad value for every job option, for the tests that check each command refuses it with exit 2
 * and one line. {@link #everyOption()} fails for an option with neither a bad value here nor an
 * exemption, so an option added to {@link IndexerOptions} without one fails those tests.
 */
public final class BadOptionValues {

    private BadOptionValues() {}

    /** A value each option's type or its builder refuses. */
    static final Map<String, String> BAD =
            Map.ofEntries(
                    Map.entry("mode", "sometimes"),
                    Map.entry("job.name", " "),
                    Map.entry("parallelism", "0"),
                    Map.entry("checkpoint.interval", "5 ms"),
                    Map.entry("postgres.host", " "),
                    Map.entry("postgres.port", "0"),
                    Map.entry("postgres.database", " "),
                    Map.entry("postgres.user", " "),
                    Map.entry("postgres.password-env", " "),
                    Map.entry("postgres.slot", "Bad-Slot"),
                    Map.entry("postgres.publication", " "),
                    Map.entry("lookup.cache-ttl", "0 s"),
                    Map.entry("session.gap", "0 s"),
                    Map.entry("session.min-messages", "0"),
                    Map.entry("session.max-tokens", "8"),
                    Map.entry("session.idle-timeout", "0 s"),
                    Map.entry("session.flush-delay", "0 s"),
                    Map.entry("session.snapshot-quiet", "0 s"),
                    Map.entry("session.state-retention", "10 min"),
                    Map.entry("session.grouping", "PAIRS"),
                    Map.entry("session.reply-window", "0 s"),
                    Map.entry("embedding.model", "gpt-9"),
                    Map.entry("embedding.batch.max-size", "0"),
                    Map.entry("embedding.batch.max-tokens", "0"),
                    Map.entry("embedding.batch.max-wait", "11 s"),
                    Map.entry("embedding.threads.intra-op", "-1"),
                    Map.entry("embedding.threads.inference", "0"),
                    Map.entry("embedding.async.capacity", "0"),
                    Map.entry("embedding.async.timeout", "0 s"),
                    Map.entry("embedding.async.max-attempts", "0"),
                    Map.entry("qdrant.host", " "),
                    Map.entry("qdrant.port", "0"),
                    Map.entry("qdrant.tls", "yes"),
                    Map.entry("qdrant.api-key-file", "/nonexistent/qdrant-api-key"),
                    Map.entry("qdrant.timeout", "0 s"),
                    Map.entry("qdrant.collection", "a/b"),
                    Map.entry("qdrant.alias", "a/b"),
                    Map.entry("reindex.drop-old", "maybe"),
                    Map.entry("backfill.split-rows", "0"),
                    Map.entry("qdrant.hnsw.m", "-1"),
                    Map.entry("qdrant.hnsw.payload-m", "-1"),
                    Map.entry("qdrant.batch.max-points", "0"),
                    Map.entry("qdrant.batch.flush-interval", "0 s"),
                    Map.entry("qdrant.batch.max-bytes", "0 b"),
                    Map.entry("qdrant.retry.max-attempts", "0"),
                    Map.entry("qdrant.retry.initial-backoff", "0 s"),
                    Map.entry("qdrant.retry.max-backoff", "1 ms"),
                    Map.entry("write-back.batch-size", "0"),
                    // no out-of-range duration: a negative one cannot be written, and 0 turns timed
                    // flushes off
                    Map.entry("write-back.batch-interval", "soon"),
                    Map.entry("write-back.max-retries", "-1"));

    /** Options every value of which means something. */
    static final Set<String> EXEMPT =
            Set.of(
                    // any variable name; blank means "no variable" (a key file, or no key at all)
                    "qdrant.api-key-env");

    /**
     * (key, bad value) for every job option; fails for an option with neither a bad value nor an
     * exemption.
     */
    public static Stream<Arguments> everyOption() {
        Set<String> missing = new TreeSet<>();
        for (ConfigOption<?> o : IndexerOptions.all()) {
            if (!BAD.containsKey(o.key()) && !EXEMPT.contains(o.key())) {
                missing.add(o.key());
            }
        }
        assertThat(missing)
                .as("options without a bad value in BadOptionValues.BAD (or a stated exemption)")
                .isEmpty();
        return IndexerOptions.all().stream()
                .filter(o -> BAD.containsKey(o.key()))
                .map(o -> Arguments.of(o.key(), BAD.get(o.key())));
    }

    /**
     * (key, a value of the wrong type) for every job option that is not a string, derived from the
     * fields.
     */
    public static Stream<Arguments> everyTypedOption() throws Exception {
        List<Arguments> typed = new java.util.ArrayList<>();
        for (Field f : IndexerOptions.class.getFields()) {
            if (f.getType() == ConfigOption.class
                    && f.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] != String.class) {
                typed.add(Arguments.of(((ConfigOption<?>) f.get(null)).key(), "not-a-value"));
            }
        }
        assertThat(typed).hasSizeGreaterThan(20);
        return typed.stream();
    }

    /**
     * Every key the job's command line accepts, derived independently of {@link
     * IndexerOptions#all()}.
     */
    public static Set<String> declaredKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Field f : IndexerOptions.class.getDeclaredFields()) {
            if (f.getType() == ConfigOption.class) {
                assertThat(
                                java.lang.reflect.Modifier.isPublic(f.getModifiers())
                                        && java.lang.reflect.Modifier.isStatic(f.getModifiers()))
                        .as("%s is public static", f)
                        .isTrue();
                keys.add(((ConfigOption<?>) f.get(null)).key());
            }
        }
        return keys;
    }

    /** A command-line entry point: arguments in, exit code out, output on the two streams. */
    public interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /**
     * Runs {@code command}, which must refuse {@code args}: exit 2 and exactly one line on standard
     * error that starts with {@code prefix}, with no stack trace. Returns that line.
     */
    public static String refusedWithOneLine(Command command, String prefix, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                command.run(
                        args,
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isEqualTo(2);
        assertThat(printed.lines()).as(printed).hasSize(1);
        assertThat(printed).startsWith(prefix).doesNotContain("\tat ");
        return printed;
    }
}
