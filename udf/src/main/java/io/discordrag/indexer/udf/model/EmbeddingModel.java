package io.discordrag.indexer.udf.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded embedding model: the ONNX Runtime session and the model's tokenizer. It embeds a batch
 * of texts padded to the longest one, pools per the model ({@link Pooling}) and L2-normalises,
 * giving the vectors sentence-transformers gives. The dimension is read from the model.
 * Thread-safe: ONNX Runtime sessions and DJL tokenizers may be used concurrently.
 */
public final class EmbeddingModel implements AutoCloseable {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final Set<String> KNOWN_INPUTS =
            Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final ModelSpec spec;
    private final TextTokenizer tokenizer;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Set<String> inputs;
    private final String output;
    private final boolean outputPooled;
    private final int dimension;

    private EmbeddingModel(
            ModelSpec spec, TextTokenizer tokenizer, OrtEnvironment env, OrtSession session)
            throws OrtException {
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.env = env;
        this.session = session;
        this.inputs = session.getInputNames();
        for (String input : inputs) {
            if (!KNOWN_INPUTS.contains(input)) {
                throw new IllegalArgumentException(
                        "Model "
                                + spec.id()
                                + " declares input '"
                                + input
                                + "'; supported inputs are "
                                + KNOWN_INPUTS);
            }
        }
        if (!inputs.contains(INPUT_IDS)) {
            throw new IllegalArgumentException("Model " + spec.id() + " has no input_ids input");
        }
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String chosen =
                outputs.containsKey("last_hidden_state")
                        ? "last_hidden_state"
                        : outputs.containsKey("token_embeddings")
                                ? "token_embeddings"
                                : outputs.keySet().iterator().next();
        long[] shape = ((TensorInfo) outputs.get(chosen).getInfo()).getShape();
        this.output = chosen;
        this.outputPooled = shape.length == 2;
        this.dimension = (int) shape[shape.length - 1];
        if (dimension <= 0) {
            throw new IllegalArgumentException(
                    "Model "
                            + spec.id()
                            + " output "
                            + chosen
                            + " has no fixed hidden size: "
                            + java.util.Arrays.toString(shape));
        }
    }

    /**
     * Loads the model of {@code spec}.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per
     *     core)
     */
    public static EmbeddingModel load(ModelSpec spec, int intraOpThreads) {
        TextTokenizer tokenizer = TextTokenizer.load(spec);
        try {
            OrtEnvironment env = OrtEnvironments.get();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            return new EmbeddingModel(
                    spec, tokenizer, env, env.createSession(spec.readOnnx(), options));
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw new IllegalStateException("Cannot load model " + spec + ": " + e.getMessage(), e);
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public int dimension() {
        return dimension;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Embeds the texts as one batch, padded to the longest. */
    public float[][] embed(List<String> texts) {
        return infer(tokenizer.tokenizeAll(texts));
    }

    public float[] embed(String text) {
        TextTokenizer.requireText(text);
        return embed(List.of(text))[0];
    }

    /** Runs the model on already tokenised texts as one batch, padded to the longest. */
    public float[][] infer(List<Tokenized> batch) {
        int n = batch.size();
        if (n == 0) {
            return new float[0][];
        }
        int seq = 0;
        for (Tokenized t : batch) {
            seq = Math.max(seq, t.length());
        }
        long[] ids = new long[n * seq];
        long[] mask = new long[n * seq];
        long[] types = new long[n * seq];
        for (int i = 0; i < n; i++) {
            Tokenized t = batch.get(i);
            System.arraycopy(t.ids(), 0, ids, i * seq, t.length());
            System.arraycopy(t.typeIds(), 0, types, i * seq, t.length());
            java.util.Arrays.fill(mask, i * seq, i * seq + t.length(), 1L);
        }
        long[] shape = {n, seq};
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            if (inputs.contains(ATTENTION_MASK)) {
                feed.put(
                        ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            }
            if (inputs.contains(TOKEN_TYPE_IDS)) {
                feed.put(
                        TOKEN_TYPE_IDS,
                        OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(feed, Set.of(output))) {
                FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] hidden = new float[buffer.remaining()];
                buffer.get(hidden);
                return pool(hidden, mask, n, seq);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "Inference of model "
                            + spec.id()
                            + " failed on a batch of "
                            + n
                            + " texts of up to "
                            + seq
                            + " tokens: "
                            + e.getMessage(),
                    e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private float[][] pool(float[] hidden, long[] mask, int n, int seq) {
        float[][] out = new float[n][dimension];
        for (int i = 0; i < n; i++) {
            float[] v = out[i];
            if (outputPooled) {
                System.arraycopy(hidden, i * dimension, v, 0, dimension);
            } else if (spec.pooling() == Pooling.CLS) {
                System.arraycopy(hidden, i * seq * dimension, v, 0, dimension);
            } else {
                int count = 0;
                for (int t = 0; t < seq; t++) {
                    if (mask[i * seq + t] == 0) {
                        continue;
                    }
                    count++;
                    int base = (i * seq + t) * dimension;
                    for (int d = 0; d < dimension; d++) {
                        v[d] += hidden[base + d];
                    }
                }
                float inv = 1f / Math.max(count, 1);
                for (int d = 0; d < dimension; d++) {
                    v[d] *= inv;
                }
            }
            normalise(v);
        }
        return out;
    }

    static void normalise(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        // sentence-transformers divides by max(norm, 1e-12).
        float inv = (float) (1.0 / Math.max(Math.sqrt(sum), 1e-12));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close model " + spec.id(), e);
        } finally {
            tokenizer.close();
        }
    }
}
