package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.batch.Embedding;
import io.discordrag.indexer.udf.batch.MicroBatcher;
import io.discordrag.indexer.udf.model.ChatTexts;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.ModelSpec;
import io.discordrag.indexer.udf.model.Tokenized;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.io.InputStream;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static io.discordrag.indexer.udf.model.VectorMath.cosine;

/**
 * Embedding throughput, side by side in one run on fixed synthetic chat texts (~30, ~100, ~200
 * tokens and a mixed set), batch sizes 1/8/32/64, fp32 and int8 models: (a) our embedder
 * (micro-batcher: tokenise, group by length, pad to the batch's longest, infer, pool); (b) the
 * ceiling: a raw ONNX Runtime loop over pre-tokenised batches built before timing (equal lengths
 * for a uniform set; sorted by length for the mixed set); (c) LangChain4j's in-process MiniLM
 * ({@code embedAll}), which truncates at 128 tokens. Prints texts/s and tokens/s, the ratios, and
 * LangChain4j's agreement with the 256-token embedding.
 *
 * <p>Rows with a batch size run (a) with that many texts a batch and no token cap, as (b) does; the
 * {@code dflt} row runs (a) with the default options (32 texts, at most 2,048 padded tokens a
 * batch).
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@embedding}.
 * Arguments (optional): {@code quick} runs fewer texts and passes.
 */
public final class EmbeddingBenchmark {

    private static final int[] BATCHES = {1, 8, 32, 64};
    private static final int PASSES = 3;

    private EmbeddingBenchmark() {}

    record TextSet(String name, List<String> texts) {}

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("quick");
        int n = quick ? 64 : 192;
        List<TextSet> sets = new ArrayList<>();
        sets.add(new TextSet("~30 tok", ChatTexts.generate(n, 20, 11)));
        sets.add(new TextSet("~100 tok", ChatTexts.generate(n, 72, 12)));
        sets.add(new TextSet("~200 tok", ChatTexts.generate(n, 150, 13)));
        List<String> mixed = new ArrayList<>();
        for (TextSet s : sets) {
            mixed.addAll(s.texts().subList(0, n / 3));
        }
        Collections.shuffle(mixed, new Random(14));
        sets.add(new TextSet("mixed", mixed));

        System.out.printf(
                Locale.ROOT,
                "cores=%d java=%s passes=%d (best of)%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                PASSES);
        for (String modelId :
                List.of(ModelRegistry.ALL_MINILM_L6_V2, ModelRegistry.ALL_MINILM_L6_V2_Q)) {
            ModelSpec spec = ModelRegistry.builtIn(modelId);
            try (io.discordrag.indexer.udf.model.EmbeddingModel ours =
                            io.discordrag.indexer.udf.model.EmbeddingModel.load(spec, 0);
                    RawOrt raw = new RawOrt(spec)) {
                EmbeddingModel lc4j =
                        modelId.endsWith("-q")
                                ? new AllMiniLmL6V2QuantizedEmbeddingModel()
                                : new AllMiniLmL6V2EmbeddingModel();
                System.out.printf(Locale.ROOT, "%n== %s%n", modelId);
                System.out.printf(
                        Locale.ROOT,
                        "%-9s %5s %6s | %9s %9s %9s | %7s %7s | %s%n",
                        "set",
                        "batch",
                        "tokens",
                        "(a) t/s",
                        "(b) t/s",
                        "(c) t/s",
                        "(a)/(b)",
                        "(a)/(c)",
                        "(a) tokens/s");
                for (TextSet set : sets) {
                    List<Tokenized> tokenized = new ArrayList<>();
                    long tokens = 0;
                    for (String t : set.texts()) {
                        Tokenized tk = ours.tokenizer().tokenize(t);
                        tokenized.add(tk);
                        tokens += tk.length();
                    }
                    double meanTokens = (double) tokens / set.texts().size();
                    double c =
                            textsPerSecond(
                                    () -> embedAllLc4j(lc4j, set.texts()), set.texts().size());
                    double defaults =
                            textsPerSecond(
                                    () ->
                                            embedOurs(
                                                    ours,
                                                    set.texts(),
                                                    EmbeddingOptions.DEFAULT_MAX_BATCH_SIZE,
                                                    EmbeddingOptions.DEFAULT_MAX_BATCH_TOKENS),
                                    set.texts().size());
                    System.out.printf(
                            Locale.ROOT,
                            "%-9s %5s %6.0f | %9.1f %9s %9.1f | %7s %7.2f | %.0f%n",
                            set.name(),
                            "dflt",
                            meanTokens,
                            defaults,
                            "",
                            c,
                            "",
                            defaults / c,
                            defaults * meanTokens);
                    for (int batch : BATCHES) {
                        double a =
                                textsPerSecond(
                                        () -> embedOurs(ours, set.texts(), batch),
                                        set.texts().size());
                        List<Map<String, OnnxTensor>> feeds =
                                raw.prepare(tokenized, batch, !set.name().equals("mixed"));
                        double b;
                        try {
                            b = textsPerSecond(() -> raw.run(feeds), set.texts().size());
                        } finally {
                            RawOrt.close(feeds);
                        }
                        System.out.printf(
                                Locale.ROOT,
                                "%-9s %5d %6.0f | %9.1f %9.1f %9.1f | %7.2f %7.2f | %.0f%n",
                                set.name(),
                                batch,
                                meanTokens,
                                a,
                                b,
                                c,
                                a / b,
                                a / c,
                                a * meanTokens);
                    }
                }
                agreement(ours, lc4j, sets.get(2).texts());
            }
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static double textsPerSecond(Work work, int texts) throws Exception {
        work.run(); // warm-up
        long best = Long.MAX_VALUE;
        for (int i = 0; i < PASSES; i++) {
            long start = System.nanoTime();
            work.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return texts / (best / 1e9);
    }

    private static void embedOurs(
            io.discordrag.indexer.udf.model.EmbeddingModel model, List<String> texts, int batch)
            throws Exception {
        embedOurs(model, texts, batch, Integer.MAX_VALUE);
    }

    private static void embedOurs(
            io.discordrag.indexer.udf.model.EmbeddingModel model,
            List<String> texts,
            int batch,
            int maxBatchTokens)
            throws Exception {
        try (MicroBatcher batcher =
                new MicroBatcher(model, batch, maxBatchTokens, Duration.ofMillis(2), 1)) {
            List<CompletableFuture<Embedding>> futures = new ArrayList<>(texts.size());
            for (String t : texts) {
                futures.add(batcher.submit(t));
            }
            for (CompletableFuture<Embedding> f : futures) {
                f.get();
            }
        }
    }

    private static void embedAllLc4j(EmbeddingModel model, List<String> texts) {
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(t));
        }
        model.embedAll(segments);
    }

    /**
     * How far LangChain4j's 128-token embeddings are from the 256-token ones on ~200-token texts.
     */
    private static void agreement(
            io.discordrag.indexer.udf.model.EmbeddingModel ours,
            EmbeddingModel lc4j,
            List<String> longTexts) {
        double sum = 0;
        double min = 1;
        int count = Math.min(32, longTexts.size());
        for (int i = 0; i < count; i++) {
            String t = longTexts.get(i);
            float[] a = ours.embed(t);
            float[] c = lc4j.embed(t).content().vector();
            double cos = cosine(a, c);
            sum += cos;
            min = Math.min(min, cos);
        }
        System.out.printf(
                Locale.ROOT,
                "LangChain4j vs 256-token embedding on ~200-token texts: mean cosine %.4f, min %.4f (n=%d)%n",
                sum / count,
                min,
                count);
        String shortText = "This is an example sentence";
        System.out.printf(
                Locale.ROOT,
                "LangChain4j vs ours on a short text: cosine %.6f%n",
                cosine(ours.embed(shortText), lc4j.embed(shortText).content().vector()));
    }

    /** The ceiling: ONNX Runtime on tensors built before timing, no tokenising or pooling. */
    static final class RawOrt implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;

        RawOrt(ModelSpec spec) throws Exception {
            String resource = "/" + spec.toString().replaceAll(".*classpath:(.*)\\)$", "$1");
            byte[] bytes;
            try (InputStream in = RawOrt.class.getResourceAsStream(resource)) {
                bytes = in.readAllBytes();
            }
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(bytes, options);
        }

        /**
         * Batches of {@code batch} inputs. {@code equalLength}: every text is given the set's mean
         * length (no padding at all); otherwise texts are sorted by length and padded to each
         * batch's longest.
         */
        List<Map<String, OnnxTensor>> prepare(List<Tokenized> texts, int batch, boolean equalLength)
                throws Exception {
            List<Tokenized> order = new ArrayList<>(texts);
            int mean =
                    (int)
                            Math.round(
                                    order.stream().mapToInt(Tokenized::length).average().orElse(1));
            if (!equalLength) {
                order.sort(Comparator.comparingInt(Tokenized::length));
            }
            List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
            for (int from = 0; from < order.size(); from += batch) {
                List<Tokenized> chunk = order.subList(from, Math.min(order.size(), from + batch));
                int seq =
                        equalLength
                                ? mean
                                : chunk.stream().mapToInt(Tokenized::length).max().orElse(1);
                long[] ids = new long[chunk.size() * seq];
                long[] mask = new long[chunk.size() * seq];
                long[] types = new long[chunk.size() * seq];
                for (int i = 0; i < chunk.size(); i++) {
                    long[] src = chunk.get(i).ids();
                    int len = equalLength ? seq : src.length;
                    for (int t = 0; t < len; t++) {
                        ids[i * seq + t] = src[Math.min(t, src.length - 1)];
                        mask[i * seq + t] = 1;
                    }
                }
                long[] shape = {chunk.size(), seq};
                Map<String, OnnxTensor> feed = new HashMap<>();
                feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                if (session.getInputNames().contains("attention_mask")) {
                    feed.put(
                            "attention_mask",
                            OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                }
                if (session.getInputNames().contains("token_type_ids")) {
                    feed.put(
                            "token_type_ids",
                            OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
                }
                feeds.add(feed);
            }
            return feeds;
        }

        void run(List<Map<String, OnnxTensor>> feeds) throws Exception {
            for (Map<String, OnnxTensor> feed : feeds) {
                try (OrtSession.Result r = session.run(feed)) {
                    r.get(0);
                }
            }
        }

        static void close(List<Map<String, OnnxTensor>> feeds) {
            feeds.forEach(f -> f.values().forEach(OnnxTensor::close));
        }

        @Override
        public void close() throws Exception {
            session.close();
        }
    }
}
