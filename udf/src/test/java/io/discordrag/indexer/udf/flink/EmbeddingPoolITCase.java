package io.discordrag.indexer.udf.flink;

import io.discordrag.indexer.udf.EmbeddingOptions;
import io.discordrag.indexer.udf.model.EmbeddingModel;
import io.discordrag.indexer.udf.model.ModelRegistry;
import io.discordrag.indexer.udf.model.VectorMath;
import io.discordrag.indexer.udf.pool.EmbeddingModelPool;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-TaskManager model pool in a MiniCluster (one TaskManager, so job code shares this test's
 * classloader and its statics): parallel subtasks load the model once, closing releases it, a
 * second run and a run restarted after an injected failure embed correctly.
 */
class EmbeddingPoolITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final EmbeddingOptions OPTIONS =
            EmbeddingOptions.builder().model(ModelRegistry.ALL_MINILM_L6_V2).build();
    private static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();
    private static EmbeddingModel reference;

    @BeforeAll
    static void loadReference() {
        reference = EmbeddingModel.load(OPTIONS.model(), 1);
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add("message number " + i + " about the deploy");
        }
        return texts;
    }

    /**
     * Runs the embedding job; each output is (text, vector, models loaded while it was embedded).
     */
    private static List<Tuple3<String, float[], Integer>> run(boolean failOnce) throws Exception {
        FAIL_ONCE.set(failOnce);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
        // The collect sink survives a restart only with checkpoints.
        env.enableCheckpointing(100);
        DataStream<String> input = env.fromData(texts()).rebalance();
        DataStream<Tuple3<String, float[], Integer>> embedded =
                EmbeddingAsync.ordered(
                        input,
                        new EmbeddingAsyncFunction<String, Tuple3<String, float[], Integer>>(
                                OPTIONS,
                                text -> text,
                                (text, vector) ->
                                        Tuple3.of(text, vector, EmbeddingModelPool.loadedModels()),
                                Types.TUPLE(
                                        Types.STRING,
                                        Types.PRIMITIVE_ARRAY(Types.FLOAT),
                                        Types.INT)));
        DataStream<Tuple3<String, float[], Integer>> checked =
                embedded.map(
                                t -> {
                                    if (FAIL_ONCE.compareAndSet(true, false)) {
                                        throw new IllegalStateException("injected failure");
                                    }
                                    return t;
                                })
                        .returns(embedded.getType());
        List<Tuple3<String, float[], Integer>> out = new ArrayList<>();
        checked.executeAndCollect("embedding-pool").forEachRemaining(out::add);
        return out;
    }

    private static void assertCorrect(List<Tuple3<String, float[], Integer>> out) {
        assertThat(out).extracting(t -> t.f0).containsAll(texts());
        for (Tuple3<String, float[], Integer> t : out) {
            assertThat(VectorMath.cosine(reference.embed(t.f0), t.f1))
                    .as("cosine for %s", t.f0)
                    .isGreaterThan(0.9999);
        }
    }

    @Test
    void parallelSubtasksShareOneModelAndReleaseIt() throws Exception {
        long loadsBefore = EmbeddingModelPool.totalLoads();
        List<Tuple3<String, float[], Integer>> out = run(false);
        assertCorrect(out);
        assertThat(out).extracting(t -> t.f2).as("models loaded while embedding").containsOnly(1);
        assertThat(EmbeddingModelPool.totalLoads() - loadsBefore)
                .as("loads for two subtasks")
                .isEqualTo(1);
        assertThat(EmbeddingModelPool.loadedModels()).as("released when the job ends").isZero();
    }

    @Test
    void theSameJobTwiceInOneJvmEmbedsCorrectly() throws Exception {
        assertCorrect(run(false));
        assertCorrect(run(false));
        assertThat(EmbeddingModelPool.loadedModels()).isZero();
    }

    @Test
    void aJobRestartedAfterAFailureEmbedsCorrectly() throws Exception {
        List<Tuple3<String, float[], Integer>> out = run(true);
        assertThat(FAIL_ONCE.get()).as("the failure was injected").isFalse();
        assertCorrect(out);
        assertThat(EmbeddingModelPool.loadedModels()).isZero();
    }

    /** The user-code classloader of the last job that ran {@link CaptureClassLoader}. */
    private static final AtomicReference<ClassLoader> JOB_CLASSLOADER = new AtomicReference<>();

    /** Passes records through and remembers its job's user-code classloader. */
    private static final class CaptureClassLoader extends RichMapFunction<String, String> {
        @Override
        public void open(OpenContext openContext) {
            JOB_CLASSLOADER.set(getRuntimeContext().getUserCodeClassLoader());
        }

        @Override
        public String map(String value) {
            return value;
        }
    }

    /**
     * True once Flink has released the classloader, which it does after running its release hooks.
     */
    private static boolean released(ClassLoader loader) {
        try {
            loader.loadClass(String.class.getName());
            return false;
        } catch (IllegalStateException | ClassNotFoundException e) {
            return true;
        }
    }

    /**
     * The cause of a failure seen in tests, the demo and {@code verify}: the release hook of a
     * finished in-process job closed every pooled model, also one that code outside the job (here:
     * this test, like a {@code verify} started right after a job) still held, which then failed
     * with "Native resource has been released already". The hook may release only the job's own
     * leases.
     */
    @Test
    void theReleaseOfAFinishedJobsClassloaderLeavesALeaseHeldOutsideTheJobWorking()
            throws Exception {
        try (EmbeddingModelPool.Lease outside = EmbeddingModelPool.acquire(OPTIONS)) {
            JOB_CLASSLOADER.set(null);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            DataStream<String> input = env.fromData(texts()).map(new CaptureClassLoader());
            List<Tuple3<String, float[], Integer>> out = new ArrayList<>();
            EmbeddingAsync.ordered(
                            input,
                            new EmbeddingAsyncFunction<String, Tuple3<String, float[], Integer>>(
                                    OPTIONS,
                                    text -> text,
                                    (text, vector) -> Tuple3.of(text, vector, 0),
                                    Types.TUPLE(
                                            Types.STRING,
                                            Types.PRIMITIVE_ARRAY(Types.FLOAT),
                                            Types.INT)))
                    .executeAndCollect("release-hook")
                    .forEachRemaining(out::add);
            assertCorrect(out);

            ClassLoader job = JOB_CLASSLOADER.get();
            assertThat(job).as("the job's classloader").isNotNull();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!released(job) && System.nanoTime() < deadline) {
                Thread.sleep(20); // Flink releases a finished job's classloader asynchronously
            }
            assertThat(released(job))
                    .as("Flink released the finished job's classloader (and ran its hooks)")
                    .isTrue();

            String text = "still usable after the job ended";
            assertThat(outside.model().tokenizer().countTokens(text)).isPositive();
            assertThat(
                            VectorMath.cosine(
                                    reference.embed(text),
                                    outside.batcher().submit(text).get().vector()))
                    .isGreaterThan(0.9999);
            assertThat(EmbeddingModelPool.loadedModels())
                    .as("the model held outside the job")
                    .isEqualTo(1);
        }
        assertThat(EmbeddingModelPool.loadedModels()).isZero();
    }

    @Test
    void recordsWithoutTextPassThroughInOrderWithoutAVector() throws Exception {
        List<String> input = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            input.add(i % 3 == 0 ? "#delete-" + i : "message " + i + " about the deploy");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Tuple3<String, float[], Integer>> out =
                EmbeddingAsync.ordered(
                        env.fromData(input),
                        new EmbeddingAsyncFunction<String, Tuple3<String, float[], Integer>>(
                                OPTIONS,
                                text -> text.startsWith("#") ? null : text,
                                // f2 records whether the combiner was given no vector (a tuple
                                // cannot hold a null array)
                                (text, vector) ->
                                        Tuple3.of(
                                                text,
                                                vector == null ? new float[0] : vector,
                                                vector == null ? 1 : 0),
                                Types.TUPLE(
                                        Types.STRING,
                                        Types.PRIMITIVE_ARRAY(Types.FLOAT),
                                        Types.INT)));
        List<Tuple3<String, float[], Integer>> results = new ArrayList<>();
        out.executeAndCollect("pass-through").forEachRemaining(results::add);

        assertThat(results)
                .extracting(t -> t.f0)
                .as("input order kept")
                .containsExactlyElementsOf(input);
        for (Tuple3<String, float[], Integer> t : results) {
            if (t.f0.startsWith("#")) {
                assertThat(t.f2).as("no vector for %s", t.f0).isEqualTo(1);
            } else {
                assertThat(t.f2).isZero();
                assertThat(VectorMath.cosine(reference.embed(t.f0), t.f1)).isGreaterThan(0.9999);
            }
        }
    }

    @Test
    void aRecordThatCannotBeEmbeddedIsSkippedWithoutRetriesAndTheJobGoesOn() throws Exception {
        List<String> input =
                List.of(
                        "first message about the deploy",
                        "#unextractable",
                        "last message about it");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Tuple3<String, float[], Integer>> out =
                EmbeddingAsync.ordered(
                        env.fromData(input),
                        new EmbeddingAsyncFunction<String, Tuple3<String, float[], Integer>>(
                                OPTIONS,
                                text -> {
                                    if (text.startsWith("#")) {
                                        EXTRACTIONS.incrementAndGet();
                                        throw new IllegalStateException("no text in " + text);
                                    }
                                    return text;
                                },
                                (text, vector) -> Tuple3.of(text, vector, 0),
                                Types.TUPLE(
                                        Types.STRING,
                                        Types.PRIMITIVE_ARRAY(Types.FLOAT),
                                        Types.INT)),
                        EmbeddingAsync.DEFAULT_CAPACITY,
                        EmbeddingAsync.DEFAULT_TIMEOUT,
                        3);
        List<Tuple3<String, float[], Integer>> results = new ArrayList<>();
        out.executeAndCollect("unembeddable").forEachRemaining(results::add);

        assertThat(results)
                .extracting(t -> t.f0)
                .as("the others embedded, in order")
                .containsExactly("first message about the deploy", "last message about it");
        assertThat(EXTRACTIONS.get()).as("tried once, not retried").isEqualTo(1);
    }

    private static final java.util.concurrent.atomic.AtomicInteger EXTRACTIONS =
            new java.util.concurrent.atomic.AtomicInteger();
}
