package io.discordrag.indexer.udf.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model's HuggingFace tokenizer (DJL) with an explicit maximum length, truncation on and no
 * padding (batches are padded to their longest text by {@link EmbeddingModel}). {@link
 * #countTokens} uses the same vocabulary without truncation, for token budgets. Thread-safe.
 *
 * <p>DJL extracts its native library to a fixed cache path, which a second user-code classloader in
 * the same JVM (a restarted or resubmitted Flink job) cannot load again. Each classloader therefore
 * loads it from a directory of its own, chosen once, before its first tokenizer is created.
 *
 * <p>Loading that library, DJL also looks for GPUs (only to name a library flavour: the tokenizers
 * library runs on the CPU). Where the CUDA runtime is installed without a driver or GPU, its probe
 * logs {@code CudaUtils - Failed to detect GPU count} at WARN on every load, so each classloader
 * initialises DJL's {@code CudaUtils} without loading the CUDA runtime; DJL then reports no GPU
 * without probing.
 */
public final class TextTokenizer implements AutoCloseable {

    static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";

    /**
     * DJL's switch to probe GPUs in a child JVM: while it is set, {@code CudaUtils} initialises
     * without loading the CUDA runtime in this process; once cleared, a {@code CudaUtils} without a
     * runtime reports no GPU at once.
     */
    static final String DJL_CUDA_FORK = "ai.djl.util.cuda.fork";

    static final String DJL_CUDA_UTILS = "ai.djl.util.cuda.CudaUtils";

    /**
     * A token covers at least one character, and WordPiece gives up on words over 100 characters.
     */
    private static final int CHARS_PER_TOKEN_BOUND = 100;

    private static boolean nativeLoaded;

    /** Where this classloader's copy of DJL extracted its native library, if it did. */
    private static Path privateNativeDir;

    private final HuggingFaceTokenizer truncating;
    private final HuggingFaceTokenizer counting;
    private final int maxTokens;

    private TextTokenizer(
            HuggingFaceTokenizer truncating, HuggingFaceTokenizer counting, int maxTokens) {
        this.truncating = truncating;
        this.counting = counting;
        this.maxTokens = maxTokens;
    }

    /** Loads the tokenizer of {@code spec} with the spec's maximum length. */
    public static TextTokenizer load(ModelSpec spec) {
        byte[] json;
        try (InputStream in = spec.openTokenizer()) {
            json = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the tokenizer of model " + spec.id(), e);
        }
        HuggingFaceTokenizer truncating =
                create(
                        json,
                        Map.of(
                                "maxLength",
                                String.valueOf(spec.maxTokens()),
                                "truncation",
                                "true",
                                "padding",
                                "false"));
        HuggingFaceTokenizer counting =
                create(json, Map.of("truncation", "false", "padding", "false"));
        return new TextTokenizer(truncating, counting, spec.maxTokens());
    }

    private static HuggingFaceTokenizer create(byte[] json, Map<String, String> options) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // DJL finds its native resources through the context classloader; threads we create have
        // Flink's
        // system classloader there, not the job's.
        thread.setContextClassLoader(TextTokenizer.class.getClassLoader());
        try {
            synchronized (TextTokenizer.class) {
                synchronized (System.class) {
                    initialiseCudaUtilsWithoutCuda();
                }
                // Only a copy of DJL of our own (the job jar carries it) loads the library again
                // in this classloader; a DJL in Flink's lib/ loads it once per JVM, in its cache.
                if (!nativeLoaded && djlIsOurs()) {
                    return createWithPrivateNativeDir(json, options);
                }
            }
            return HuggingFaceTokenizer.newInstance(
                    new java.io.ByteArrayInputStream(json), options);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create tokenizer", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static HuggingFaceTokenizer createWithPrivateNativeDir(
            byte[] json, Map<String, String> options) throws IOException {
        // The property is JVM-wide, so every classloader sets and restores it under the same lock.
        synchronized (System.class) {
            String before = System.getProperty(DJL_CACHE_DIR);
            Path dir = Files.createTempDirectory("discord-rag-indexer-djl-");
            dir.toFile().deleteOnExit();
            privateNativeDir = dir;
            System.setProperty(DJL_CACHE_DIR, dir.toString());
            try {
                HuggingFaceTokenizer tokenizer =
                        HuggingFaceTokenizer.newInstance(
                                new java.io.ByteArrayInputStream(json), options);
                nativeLoaded = true;
                return tokenizer;
            } finally {
                if (before == null) {
                    System.clearProperty(DJL_CACHE_DIR);
                } else {
                    System.setProperty(DJL_CACHE_DIR, before);
                }
            }
        }
    }

    private static boolean djlIsOurs() {
        return HuggingFaceTokenizer.class.getClassLoader() == TextTokenizer.class.getClassLoader();
    }

    /**
     * Deletes the directory this classloader's DJL extracted its native library into, if any: for
     * when the classloader is released (the library stays mapped until the JVM unloads it, so the
     * files are not needed; without this each resubmitted job left ~14 MB in the temp folder).
     */
    public static synchronized void deletePrivateNativeDir() {
        Path dir = privateNativeDir;
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: what cannot be deleted now goes when the JVM exits (deleteOnExit)
        }
    }

    /**
     * Initialises DJL's {@code CudaUtils} (if this classloader has not yet) with {@link
     * #DJL_CUDA_FORK} set, so it never loads the CUDA runtime here; a value the user set is left
     * alone. Call under the {@code System.class} lock.
     */
    private static void initialiseCudaUtilsWithoutCuda() {
        if (System.getProperty(DJL_CUDA_FORK) != null) {
            return;
        }
        System.setProperty(DJL_CUDA_FORK, "true");
        try {
            Class.forName(DJL_CUDA_UTILS, true, TextTokenizer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // another DJL version: it will probe as it always does
        } finally {
            System.clearProperty(DJL_CUDA_FORK);
        }
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Token ids of {@code text}, special tokens included, cut to {@link #maxTokens()}. */
    public Tokenized tokenize(String text) {
        requireText(text);
        // Tokenising a megabyte only to keep 256 tokens wastes time and memory: cut the text first,
        // then
        // check the cut could not have changed the result (the kept tokens all came from the kept
        // part).
        int limit = maxTokens * CHARS_PER_TOKEN_BOUND;
        while (true) {
            boolean cut = text.length() > limit;
            Encoding e = truncating.encode(cut ? safeCut(text, limit) : text);
            if (!cut || e.exceedMaxLength()) {
                return new Tokenized(e.getIds(), e.getTypeIds(), e.exceedMaxLength() || cut);
            }
            limit = limit > Integer.MAX_VALUE / 4 ? Integer.MAX_VALUE : limit * 4;
        }
    }

    /**
     * Tokenises many texts with one native call (the tokenizer parallelises inside); same result as
     * {@link #tokenize} for each text.
     */
    public List<Tokenized> tokenizeAll(List<String> texts) {
        int limit = maxTokens * CHARS_PER_TOKEN_BOUND;
        List<String> plain = new ArrayList<>(texts.size());
        for (String text : texts) {
            requireText(text);
            if (text.length() <= limit) {
                plain.add(text);
            }
        }
        Encoding[] encoded = plain.isEmpty() ? new Encoding[0] : truncating.batchEncode(plain);
        List<Tokenized> out = new ArrayList<>(texts.size());
        int next = 0;
        for (String text : texts) {
            if (text.length() <= limit) {
                Encoding e = encoded[next++];
                out.add(new Tokenized(e.getIds(), e.getTypeIds(), e.exceedMaxLength()));
            } else {
                out.add(tokenize(text));
            }
        }
        return out;
    }

    /** Number of tokens of {@code text} with special tokens and without truncation. */
    public int countTokens(String text) {
        requireText(text);
        return counting.encode(text).getIds().length;
    }

    /**
     * Cuts at the last whitespace before {@code limit}, so no kept word is split (nor a surrogate
     * pair).
     */
    private static String safeCut(String text, int limit) {
        for (int i = limit - 1; i >= limit / 2; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return text.substring(0, i);
            }
        }
        int end = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
        return text.substring(0, end);
    }

    static void requireText(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text to embed must not be null");
        }
    }

    @Override
    public void close() {
        truncating.close();
        counting.close();
    }
}
