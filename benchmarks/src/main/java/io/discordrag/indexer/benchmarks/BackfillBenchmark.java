package io.discordrag.indexer.benchmarks;

import io.discordrag.indexer.job.IndexerConfig;
import io.discordrag.indexer.job.IndexerJob;
import io.discordrag.indexer.job.IndexerOptions;
import io.discordrag.indexer.job.session.SessionMessage;
import io.discordrag.indexer.testing.data.SyntheticChat;
import io.discordrag.indexer.testing.postgres.EmbeddedPostgresExtension;
import io.discordrag.indexer.testing.qdrant.QdrantStandIn;
import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.TextTokenizer;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --mode backfill} end to end on the synthetic generator's data, next to the embedder alone
 * on the same session texts, in one run on one machine — and where the time goes.
 *
 * <p>Generates a guild history ({@link SyntheticChat}: Discord-like lengths and timing), loads it
 * into an embedded PostgreSQL, runs the backfill exactly as {@code IndexerJob --mode backfill} does
 * (local MiniCluster, parallelism 2, default options) into the in-process Qdrant stand-in, and
 * reports elapsed time, messages/s, sessions/s, points/s and the peak memory of this JVM (job,
 * stand-in and generator; PostgreSQL runs in its own processes). Then it reads back every chunk the
 * job wrote, renders it again and embeds a systematic sample (every k-th text; {@code sample} 1.0 =
 * all) with the pooled model alone, with the same options, for the ratio. The profile: CPU time of
 * each thread group during the backfill (ONNX Runtime's own pool threads are native, so they appear
 * as process CPU not in any Java thread), the tokens of the rendered texts split into per-line
 * headers and content, and the embedder alone on the same sample rendered compactly ({@code <name>:
 * <content>} lines) — what a token-efficient rendering would save.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install && ./mvnw -pl benchmarks exec:exec@backfill
 * -Dbench.messages=1000000 -Dbench.model=all-MiniLM-L6-v2-q -Dbench.sample=0.1}.
 */
public final class BackfillBenchmark {

    private BackfillBenchmark() {}

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String model = args.length > 1 ? args[1] : "all-MiniLM-L6-v2-q";
        double sample = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;
        int every = Math.max(1, (int) Math.round(1 / sample));

        long t = System.nanoTime();
        // A long history from a fixed start can reach past today, and the job rightly skips
        // messages from
        // the future: end it a day ago instead.
        SyntheticChat.Dataset data =
                SyntheticChat.generateEndingBy(
                        SyntheticChat.Spec.of(messages),
                        java.time.Instant.now().minus(Duration.ofDays(1)));
        Map<Long, String> channelNames = new HashMap<>();
        data.channels().forEach(c -> channelNames.put(c.id(), c.name()));
        int[] expected = StreamingJobBenchmark.expectedSessions(data);
        System.out.printf(
                Locale.ROOT,
                "dataset: %d messages, %d channels, %d users; %d sessions of >= 2 messages "
                        + "covering %d messages from %s to %s; generated in %.1f s; cores=%d, max heap %d MiB, model=%s%n",
                messages,
                data.channels().size(),
                data.users().size(),
                expected[0],
                expected[1],
                data.messages().get(0).timestamp(),
                data.messages().get(data.messages().size() - 1).timestamp(),
                (System.nanoTime() - t) / 1e9,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                model);

        EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
        postgres.start();
        try (QdrantStandIn qdrant = QdrantStandIn.startNew();
                QdrantClient client =
                        new QdrantClient(
                                QdrantGrpcClient.newBuilder(qdrant.host(), qdrant.port(), false)
                                        .build());
                Connection admin = postgres.adminConnection()) {
            t = System.nanoTime();
            SyntheticChat.insertDirectory(admin, data);
            List<SyntheticChat.Message> all = data.messages();
            for (int i = 0; i < all.size(); i += 10_000) {
                SyntheticChat.insertMessages(
                        admin, all.subList(i, Math.min(all.size(), i + 10_000)));
            }
            admin.createStatement().execute("ANALYZE messages");
            System.out.printf(
                    Locale.ROOT,
                    "loaded into PostgreSQL in %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            data = null; // the rows live in PostgreSQL now

            Map<String, String> options = StreamingJobBenchmark.jobOptions(postgres, qdrant, model);
            options.put("mode", "backfill");
            IndexerConfig config =
                    IndexerConfig.fromMap(options).withPostgresPassword(postgres.indexerPassword());

            Sampler sampler = new Sampler();
            sampler.start();
            long start = System.nanoTime();
            JobStatus status =
                    IndexerJob.runBounded(
                            StreamExecutionEnvironment.getExecutionEnvironment(),
                            config,
                            Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.stop();
            if (status != JobStatus.FINISHED) {
                throw new IllegalStateException("backfill ended " + status);
            }
            long points = client.countAsync(config.get(IndexerOptions.QDRANT_COLLECTION)).get();
            System.out.printf(
                    Locale.ROOT,
                    "backfill: %d messages in %.1f s (%.1f min) -> %.0f messages/s, "
                            + "%.1f sessions/s, %.1f points/s (%d points)%n",
                    messages,
                    seconds,
                    seconds / 60,
                    messages / seconds,
                    expected[0] / seconds,
                    points / seconds,
                    points);
            System.out.printf(
                    Locale.ROOT,
                    "peak memory of this JVM: %d MiB resident (VmHWM), %d MiB heap used "
                            + "(sampled each second)%n",
                    peakResidentMiB(),
                    sampler.peakHeap >> 20);
            sampler.report(seconds);

            // The job's end releases its pooled model (classloader release hook): wait for it, then
            // embed alone.
            while (EmbeddingModelPool.loadedModels() > 0) {
                Thread.sleep(100);
            }
            List<StreamingJobBenchmark.Chunk> chunks =
                    StreamingJobBenchmark.writtenChunks(admin, channelNames);
            List<String> texts = new ArrayList<>();
            List<String> compact = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i += every) {
                texts.add(chunks.get(i).render());
                compact.add(compactRender(chunks.get(i)));
            }
            EmbeddingOptions embedding = EmbeddingOptions.builder().model(model).build();
            try (EmbeddingModelPool.Lease lease = EmbeddingModelPool.acquire(embedding)) {
                tokenProfile(lease.model().tokenizer(), chunks, every);
                StreamingJobBenchmark.embedAll(
                        lease, texts.subList(0, Math.min(200, texts.size()))); // warm-up
                double alone = embed(lease, texts);
                double textsPerSecond = texts.size() / alone;
                System.out.printf(
                        Locale.ROOT,
                        "embedder alone, every %d-th of the %d chunk texts (%d texts), same "
                                + "options: %.1f s -> %.1f texts/s; all %d texts would take %.0f s%n",
                        every,
                        chunks.size(),
                        texts.size(),
                        alone,
                        textsPerSecond,
                        chunks.size(),
                        chunks.size() / textsPerSecond);
                System.out.printf(
                        Locale.ROOT,
                        "ratio backfill points/s : embedder texts/s = %.2f%n",
                        points / seconds / textsPerSecond);
                double compactSeconds = embed(lease, compact);
                System.out.printf(
                        Locale.ROOT,
                        "embedder alone, same sample rendered compactly ('<name>: <content>', "
                                + "same chunks): %.1f s -> %.1f texts/s, %.2fx the job's rendering%n",
                        compactSeconds,
                        compact.size() / compactSeconds,
                        alone / compactSeconds);
            }
        } finally {
            postgres.stop();
        }
        System.exit(0);
    }

    private static double embed(EmbeddingModelPool.Lease lease, List<String> texts) {
        long t = System.nanoTime();
        StreamingJobBenchmark.embedAll(lease, texts);
        return (System.nanoTime() - t) / 1e9;
    }

    /** A token-efficient rendering of the same chunk: no per-line timestamp or brackets. */
    static String compactRender(StreamingJobBenchmark.Chunk chunk) {
        List<SessionMessage> ordered = new ArrayList<>(chunk.messages());
        ordered.sort(SessionMessage.ORDER);
        StringBuilder sb = new StringBuilder();
        if (ordered.size() > 1) {
            sb.append("Conversation in #").append(chunk.channelName()).append(":\n");
        }
        for (int i = 0; i < ordered.size(); i++) {
            sb.append(i > 0 ? "\n" : "")
                    .append(ordered.get(i).authorName())
                    .append(": ")
                    .append(ordered.get(i).content());
        }
        return sb.toString();
    }

    /**
     * Where the model's input tokens go: channel header, per-line "[name @ time]: " headers,
     * content.
     */
    private static void tokenProfile(
            TextTokenizer tokenizer, List<StreamingJobBenchmark.Chunk> chunks, int every) {
        long total = 0;
        long content = 0;
        long compactTotal = 0;
        long lines = 0;
        for (int i = 0; i < chunks.size(); i += every) {
            StreamingJobBenchmark.Chunk c = chunks.get(i);
            total += tokenizer.countTokens(c.render()) - 2; // [CLS] and [SEP]
            compactTotal += tokenizer.countTokens(compactRender(c)) - 2;
            for (SessionMessage m : c.messages()) {
                content += tokenizer.countTokens(m.content()) - 2;
                lines++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "tokens of the sampled chunk texts: %d in %d lines = %.1f per line, of which "
                        + "content %.1f (%.0f%%) and header/format %.1f (%.0f%%); compact rendering: %.1f per line "
                        + "(%.0f%% of the job's)%n",
                total,
                lines,
                (double) total / lines,
                (double) content / lines,
                100.0 * content / total,
                (double) (total - content) / lines,
                100.0 * (total - content) / total,
                (double) compactTotal / lines,
                100.0 * compactTotal / total);
    }

    private static long peakResidentMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }

    /**
     * Samples, each second, the heap in use and every Java thread's CPU time, and reports CPU by
     * thread group; the process's CPU beyond its Java threads is native (ONNX Runtime's intra-op
     * pool) or GC.
     */
    private static final class Sampler implements Runnable {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final Map<Long, String> names = new ConcurrentHashMap<>();
        private final Map<Long, Long> cpu = new ConcurrentHashMap<>();
        private final Map<Long, Long> baseline = new HashMap<>();
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        private volatile boolean stopped;
        private volatile long peakHeap;
        private long processCpuStart;
        private long processCpuEnd;
        private Thread thread;

        void start() {
            processCpuStart = os.getProcessCpuTime();
            for (long id : threads.getAllThreadIds()) {
                baseline.put(id, Math.max(0, threads.getThreadCpuTime(id)));
            }
            thread = new Thread(this, "benchmark-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
            sample();
            processCpuEnd = os.getProcessCpuTime();
        }

        @Override
        public void run() {
            while (!stopped) {
                sample();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            peakHeap = Math.max(peakHeap, heap);
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long time = threads.getThreadCpuTime(info.getThreadId());
                if (time > 0) {
                    names.put(info.getThreadId(), info.getThreadName());
                    cpu.merge(info.getThreadId(), time, Math::max);
                }
            }
        }

        void report(double wallSeconds) {
            Map<String, Long> groups = new TreeMap<>();
            long javaThreads = 0;
            for (Map.Entry<Long, Long> e : cpu.entrySet()) {
                long used = e.getValue() - baseline.getOrDefault(e.getKey(), 0L);
                groups.merge(group(names.get(e.getKey())), used, Long::sum);
                javaThreads += used;
            }
            double process = (processCpuEnd - processCpuStart) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "CPU during the backfill: %.0f s of %.0f s wall x %d cores (%.0f%%); "
                            + "by thread group:%n",
                    process,
                    wallSeconds,
                    Runtime.getRuntime().availableProcessors(),
                    100 * process / (wallSeconds * Runtime.getRuntime().availableProcessors()));
            groups.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(12)
                    .forEach(
                            e ->
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  %8.1f s  %s%n",
                                            e.getValue() / 1e9,
                                            e.getKey()));
            System.out.printf(
                    Locale.ROOT,
                    "  %8.1f s  (not in a Java thread: ONNX Runtime's native pool threads, "
                            + "JIT/GC internals)%n",
                    Math.max(0, process - javaThreads / 1e9));
        }

        /** A thread's name without its subtask, attempt and pool numbers. */
        static String group(String name) {
            return name.replaceAll("\\s*\\(\\d+/\\d+\\)", "")
                    .replaceAll("#\\d+", "")
                    .replaceAll("[-_ ]?\\d+$", "")
                    .replaceAll("-\\d+-", "-");
        }
    }
}
