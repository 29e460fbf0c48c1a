package io.discordrag.indexer.udf.cli;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.Preconditions;
import org.apache.flink.util.TimeUtils;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The one command-line dialect of every command (the job, {@code verify}, {@code search}, {@code
 * embed}): {@code --key value} or {@code --key=value} with the keys of {@link ConfigOption}s, over
 * an optional properties file ({@code --config FILE}, lines {@code key: value}), over the options'
 * defaults. A command is the list of options it accepts; its {@code --help} and the keys it accepts
 * both come from that list, so they cannot disagree.
 *
 * <p>{@link #parse} guarantees that the returned configuration holds only accepted keys and that
 * every accepted option's value has its type: unknown keys, old spellings (with the key to use
 * instead), secrets and values of the wrong type are rejected with one {@link
 * IllegalArgumentException} line naming the key. Range checks are the options builders' job.
 * Immutable and thread-safe.
 */
public final class CommandLine {

    /** Spellings of earlier versions, and the key that replaced each. */
    private static final Map<String, String> OLD_SPELLINGS =
            Map.of(
                    "collection", "qdrant.collection",
                    "model", "embedding.model",
                    "batch-size", "embedding.batch.max-size");

    /**
     * Keys that look like secrets: they come from the environment or a file, never from arguments.
     */
    private static final Map<String, String> SECRETS =
            Map.of(
                    "postgres.password", "the environment variable named by postgres.password-env",
                    "qdrant.api-key",
                            "the environment variable named by qdrant.api-key-env, or qdrant.api-key-file");

    private final List<ConfigOption<?>> options;
    private final Map<String, ConfigOption<?>> byKey;
    private final boolean takesArguments;
    private final java.util.Set<String> repeatable;

    private CommandLine(
            List<ConfigOption<?>> options,
            boolean takesArguments,
            java.util.Set<String> repeatable) {
        this.options = List.copyOf(options);
        this.byKey = new LinkedHashMap<>();
        for (ConfigOption<?> o : options) {
            Preconditions.checkArgument(
                    byKey.put(o.key(), o) == null, "option %s declared twice", o.key());
        }
        this.takesArguments = takesArguments;
        this.repeatable = java.util.Set.copyOf(repeatable);
    }

    /** A command that accepts exactly these options and no positional arguments. */
    public static CommandLine of(List<ConfigOption<?>> options) {
        return new CommandLine(options, false, java.util.Set.of());
    }

    /** The same command, also taking positional arguments (e.g. search's query). */
    public CommandLine withArguments() {
        return new CommandLine(options, true, repeatable);
    }

    /** The same command, where every occurrence of this list option adds to its value. */
    public CommandLine repeating(ConfigOption<? extends List<?>> option) {
        java.util.Set<String> keys = new java.util.HashSet<>(repeatable);
        keys.add(option.key());
        return new CommandLine(options, takesArguments, keys);
    }

    /** The accepted options, in the order {@code --help} lists them. */
    public List<ConfigOption<?>> options() {
        return options;
    }

    /**
     * Every {@code public static} {@link ConfigOption} field of the given classes, sorted by key.
     * The list is derived, never written by hand, so an option declared in one of these classes is
     * always accepted, listed by {@code --help} and documented; sorting by key gives a stable order
     * (reflection's is not).
     */
    public static List<ConfigOption<?>> declaredIn(Class<?>... holders) {
        List<ConfigOption<?>> found = new ArrayList<>();
        for (Class<?> holder : holders) {
            for (Field f : holder.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                        Preconditions.checkState(
                                option != null, "%s read before it was initialised", f);
                        found.add(option);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read option " + f, e);
                    }
                }
            }
        }
        found.sort(Comparator.comparing(ConfigOption::key));
        return List.copyOf(found);
    }

    /** Both option lists, sorted by key. */
    public static List<ConfigOption<?>> concat(List<ConfigOption<?>> a, List<ConfigOption<?>> b) {
        return Stream.concat(a.stream(), b.stream())
                .sorted(Comparator.comparing(ConfigOption::key))
                .toList();
    }

    /** Whether the arguments ask for help ({@code --help} or {@code -h} anywhere). */
    public static boolean asksForHelp(String... args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    /**
     * Parsed arguments: the configuration (accepted keys only, types checked) and the positional
     * arguments.
     */
    public record Parsed(Configuration config, List<String> arguments) {}

    /**
     * Parses {@code --key value}, {@code --key=value} and {@code --config FILE}. A repeated option
     * keeps its last value, except {@link #repeating} options, which collect every occurrence.
     *
     * @throws IllegalArgumentException one line naming the offending argument or key
     */
    public Parsed parse(String... args) {
        Map<String, String> fromArgs = new LinkedHashMap<>();
        List<String> arguments = new ArrayList<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                Preconditions.checkArgument(
                        takesArguments, "unexpected argument '%s': options are --key value", a);
                arguments.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String key = eq >= 0 ? a.substring(2, eq) : a.substring(2);
            if (!key.equals("config")) {
                checkKey(key);
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else {
                Preconditions.checkArgument(i + 1 < args.length, "option --%s needs a value", key);
                value = args[++i];
            }
            if (key.equals("config")) {
                configFile = value;
                continue;
            }
            if (repeatable.contains(key) && fromArgs.containsKey(key)) {
                value = fromArgs.get(key) + ";" + value;
            }
            fromArgs.put(key, value);
        }
        Map<String, String> merged = new HashMap<>();
        if (configFile != null) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(configFile))) {
                props.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read --config file " + configFile + ": " + e);
            }
            for (String key : props.stringPropertyNames()) {
                checkKey(key);
                merged.put(key, props.getProperty(key).trim());
            }
        }
        merged.putAll(fromArgs);
        Configuration config = Configuration.fromMap(merged);
        for (ConfigOption<?> o : options) {
            get(config, o);
        }
        return new Parsed(config, List.copyOf(arguments));
    }

    private void checkKey(String key) {
        if (SECRETS.containsKey(key)) {
            throw new IllegalArgumentException(
                    "'"
                            + key
                            + "' cannot be given as an option: secrets are read "
                            + "from "
                            + SECRETS.get(key));
        }
        if (byKey.containsKey(key)) {
            return;
        }
        String renamed = OLD_SPELLINGS.get(key);
        if (renamed == null) {
            // --qdrant-host and friends: the old dashed spelling of a dotted key
            renamed =
                    byKey.keySet().stream()
                            .filter(k -> k.replace('.', '-').equals(key))
                            .findFirst()
                            .orElse(null);
        }
        if (renamed != null && byKey.containsKey(renamed)) {
            throw new IllegalArgumentException(
                    "--" + key + " is no longer an option: use --" + renamed);
        }
        throw new IllegalArgumentException(
                "unknown option '" + key + "'; see --help for the options");
    }

    /**
     * The option's value (its default when unset), with a type error reported as one line naming
     * the key and the value.
     */
    public static <T> T get(Configuration config, ConfigOption<T> option) {
        try {
            return config.getOptional(option)
                    .orElse(option.hasDefaultValue() ? option.defaultValue() : null);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(
                    option.key()
                            + ": "
                            + e.getMessage()
                            + (cause != null && cause.getMessage() != null
                                    ? " " + cause.getMessage()
                                    : ""));
        }
    }

    /** A Discord snowflake: an unsigned 64-bit number, as every command parses ids. */
    public static long snowflake(String key, String value) {
        try {
            return Long.parseUnsignedLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + " needs a numeric id (unsigned 64-bit), got '" + value + "'");
        }
    }

    /** Every accepted option with its default and meaning, as {@code --help} prints them. */
    public String optionsHelp() {
        StringBuilder sb = new StringBuilder();
        for (ConfigOption<?> o : options) {
            sb.append(
                    String.format(
                            "  --%-30s %s%n  %-32s default: %s%n",
                            o.key(), description(o), "", defaultText(o)));
        }
        return sb.toString();
    }

    /** An option's default as {@code --help} and README's configuration reference show it. */
    public static String defaultText(ConfigOption<?> o) {
        if (!o.hasDefaultValue()) {
            return "(none)";
        }
        if (o.defaultValue() instanceof java.time.Duration d) {
            return TimeUtils.formatWithHighestUnit(d);
        }
        if (o.defaultValue() instanceof String s) {
            return s;
        }
        return String.valueOf(o.defaultValue()).toLowerCase(java.util.Locale.ROOT);
    }

    /** An option's description as plain text. */
    public static String description(ConfigOption<?> o) {
        StringBuilder sb = new StringBuilder();
        for (BlockElement b : o.description().getBlocks()) {
            if (b instanceof TextElement t) {
                sb.append(t.getFormat());
            }
        }
        return sb.toString();
    }
}
