package io.discordrag.indexer.udf.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The built-in models, loaded from the weight artifacts' classpath resources. Max lengths follow
 * sentence-transformers (256 for all-MiniLM-L6-v2, 512 for bge-small-en-v1.5), not the 128 that the
 * bundled {@code tokenizer.json} says. Every id is known everywhere, but only the models whose
 * weights are on the classpath can be used: the shaded job jar carries the default model's and
 * those it was built with ({@code -Pmodel-<id>}), so {@link #builtIn} refuses another one up front.
 */
public final class ModelRegistry {

    public static final String ALL_MINILM_L6_V2 = "all-MiniLM-L6-v2";
    public static final String ALL_MINILM_L6_V2_Q = "all-MiniLM-L6-v2-q";
    public static final String BGE_SMALL_EN_V15 = "bge-small-en-v1.5";
    public static final String BGE_SMALL_EN_V15_Q = "bge-small-en-v1.5-q";
    public static final String DEFAULT_MODEL = ALL_MINILM_L6_V2;

    private static final Map<String, ModelSpec> BUILT_IN = new LinkedHashMap<>();
    private static final Map<String, Integer> DIMENSIONS = new LinkedHashMap<>();

    static {
        register(ALL_MINILM_L6_V2, "all-minilm-l6-v2", Pooling.MEAN, 256, 384);
        register(ALL_MINILM_L6_V2_Q, "all-minilm-l6-v2-q", Pooling.MEAN, 256, 384);
        register(BGE_SMALL_EN_V15, "bge-small-en-v1.5", Pooling.CLS, 512, 384);
        register(BGE_SMALL_EN_V15_Q, "bge-small-en-v1.5-q", Pooling.CLS, 512, 384);
    }

    private static void register(
            String id, String resourceBase, Pooling pooling, int maxTokens, int dimension) {
        DIMENSIONS.put(id, dimension);
        BUILT_IN.put(
                id,
                ModelSpec.classpath(
                        id,
                        resourceBase + ".onnx",
                        resourceBase + "-tokenizer.json",
                        pooling,
                        maxTokens));
    }

    private ModelRegistry() {}

    /**
     * The built-in model with this id; IllegalArgumentException naming the known ids for an unknown
     * one, and naming the build switch for one whose weights are not on the classpath (not in this
     * job jar).
     */
    public static ModelSpec builtIn(String id) {
        ModelSpec spec = BUILT_IN.get(id);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "Unknown model '"
                            + id
                            + "'; built-in models are "
                            + ids()
                            + " (or configure a custom model from files)");
        }
        if (!spec.onClasspath()) {
            throw new IllegalArgumentException(
                    "model '"
                            + id
                            + "' is not in this jar (its weights are not on the classpath): "
                            + (id.equals(DEFAULT_MODEL)
                                    ? "every build carries it; is its weight artifact a dependency?"
                                    : "build the job jar with it, ./mvnw package -Pmodel-"
                                            + id
                                            + " (README \"Choosing the models\")"));
        }
        return spec;
    }

    /**
     * The vector size of a built-in model, known without loading it (a job submission need not load
     * the model to create the collection); empty for any other spec.
     */
    public static OptionalInt dimension(ModelSpec spec) {
        ModelSpec builtIn = BUILT_IN.get(spec.id());
        return builtIn != null && builtIn.equals(spec)
                ? OptionalInt.of(DIMENSIONS.get(spec.id()))
                : OptionalInt.empty();
    }

    public static List<String> ids() {
        return List.copyOf(BUILT_IN.keySet());
    }
}
