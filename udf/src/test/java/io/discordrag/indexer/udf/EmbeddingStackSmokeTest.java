package io.discordrag.indexer.udf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the pinned embedding stack resolves and runs on this machine: the four weight artifacts
 * carry their model and tokenizer resources, ONNX Runtime loads its native library and opens a
 * model, and the DJL tokenizer loads its native library and tokenises with an explicit max length.
 */
class EmbeddingStackSmokeTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EmbeddingStackSmokeTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as("classpath resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "all-minilm-l6-v2",
                "all-minilm-l6-v2-q",
                "bge-small-en-v1.5",
                "bge-small-en-v1.5-q"
            })
    void weightArtifactsCarryModelAndTokenizer(String model) throws IOException {
        try (InputStream onnx = getClass().getResourceAsStream("/" + model + ".onnx");
                InputStream tokenizer =
                        getClass().getResourceAsStream("/" + model + "-tokenizer.json")) {
            assertThat(onnx).as("%s.onnx", model).isNotNull();
            assertThat(tokenizer).as("%s-tokenizer.json", model).isNotNull();
        }
    }

    @Test
    void onnxRuntimeOpensTheQuantisedMiniLmModel() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session =
                env.createSession(
                        resource("all-minilm-l6-v2-q.onnx"), new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).contains("input_ids", "attention_mask");
            NodeInfo output = session.getOutputInfo().values().iterator().next();
            long[] shape = ((TensorInfo) output.getInfo()).getShape();
            assertThat(shape[shape.length - 1]).as("hidden size").isEqualTo(384);
        }
    }

    @Test
    void djlTokenizerHonoursAnExplicitMaxLength() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
                HuggingFaceTokenizer tokenizer =
                        HuggingFaceTokenizer.newInstance(
                                in,
                                Map.of(
                                        "maxLength",
                                        "256",
                                        "truncation",
                                        "true",
                                        "padding",
                                        "false"))) {
            Encoding short_ = tokenizer.encode("Hello world");
            assertThat(short_.getIds()[0]).as("[CLS]").isEqualTo(101);
            assertThat(short_.getIds()[short_.getIds().length - 1]).as("[SEP]").isEqualTo(102);
            // The tokenizer.json alone truncates at 128; the explicit 256 must win.
            Encoding longText = tokenizer.encode("word ".repeat(400));
            assertThat(longText.getIds()).hasSize(256);
        }
    }
}
