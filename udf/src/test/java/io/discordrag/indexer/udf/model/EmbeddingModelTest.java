package io.discordrag.indexer.udf.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.discordrag.indexer.udf.model.VectorMath.cosine;
import static io.discordrag.indexer.udf.model.VectorMath.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Parity with sentence-transformers, truncation, pooling and bad input. */
class EmbeddingModelTest {

    private static EmbeddingModel miniLm;
    private static EmbeddingModel miniLmQ;

    @BeforeAll
    static void load() {
        miniLm = EmbeddingModel.load(ModelRegistry.builtIn(ModelRegistry.ALL_MINILM_L6_V2), 0);
        miniLmQ = EmbeddingModel.load(ModelRegistry.builtIn(ModelRegistry.ALL_MINILM_L6_V2_Q), 0);
    }

    @AfterAll
    static void close() {
        miniLm.close();
        miniLmQ.close();
    }

    @Test
    void matchesSentenceTransformersForTheReferenceSentence() {
        float[] v = miniLm.embed("This is an example sentence");
        assertThat(v).hasSize(384);
        assertThat(v[0]).isCloseTo(0.0677f, within(1e-3f));
        assertThat(v[1]).isCloseTo(0.0635f, within(1e-3f));
        assertThat(v[2]).isCloseTo(0.0487f, within(1e-3f));
        assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void dimensionIsReadFromTheModel() {
        assertThat(miniLm.dimension()).isEqualTo(384);
        assertThat(miniLmQ.dimension()).isEqualTo(384);
    }

    @Test
    void maxLengthIs256TokensNot128() {
        Tokenized t = miniLm.tokenizer().tokenize("word ".repeat(400));
        assertThat(t.length()).isEqualTo(256);
        assertThat(t.truncated()).isTrue();
        assertThat(miniLm.tokenizer().countTokens("word ".repeat(400))).isEqualTo(402);
    }

    @Test
    void paraphrasesScoreAboveUnrelatedPairs() {
        String[][] paraphrases = {
            {"A man is eating food.", "A man is eating a piece of bread."},
            {"The server crashed last night.", "Last night the server went down."},
            {"Can someone review my pull request?", "Could anybody take a look at my PR?"},
        };
        String[] unrelated = {
            "A man is riding a white horse on an enclosed ground.",
            "The new raid boss drops a legendary sword.",
            "I like my coffee with oat milk."
        };
        for (String[] pair : paraphrases) {
            double similar = cosine(miniLm.embed(pair[0]), miniLm.embed(pair[1]));
            for (String other : unrelated) {
                assertThat(similar)
                        .as("%s ~ %s vs %s", pair[0], pair[1], other)
                        .isGreaterThan(cosine(miniLm.embed(pair[0]), miniLm.embed(other)));
            }
        }
    }

    @Test
    void paddingInABatchDoesNotChangeVectors() {
        List<String> texts =
                List.of(
                        "short",
                        "a much longer message about the deploy that failed last night",
                        "medium length text here");
        float[][] batched = miniLm.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(cosine(batched[i], miniLm.embed(texts.get(i)))).isGreaterThan(0.9999);
        }
    }

    @Test
    void quantisedModelStaysCloseToFp32OnChatTexts() {
        List<String> texts = new ArrayList<>(ChatTexts.generate(25, 12, 7));
        texts.addAll(ChatTexts.generate(25, 60, 8));
        float[][] fp32 = miniLm.embed(texts);
        float[][] q = miniLmQ.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(cosine(fp32[i], q[i]))
                    .as("text %d: %s", i, texts.get(i))
                    .isGreaterThanOrEqualTo(0.97);
        }
    }

    @Test
    void bgeUsesClsPoolingAnd512Tokens() {
        ModelSpec bge = ModelRegistry.builtIn(ModelRegistry.BGE_SMALL_EN_V15_Q);
        assertThat(bge.pooling()).isEqualTo(Pooling.CLS);
        assertThat(bge.maxTokens()).isEqualTo(512);
        try (EmbeddingModel cls = EmbeddingModel.load(bge, 0);
                EmbeddingModel mean =
                        EmbeddingModel.load(ModelSpecs.withPooling(bge, Pooling.MEAN), 0)) {
            String text = "The deploy failed because the database ran out of disk space";
            float[] clsVector = cls.embed(text);
            assertThat(clsVector).hasSize(384);
            assertThat(cosine(clsVector, mean.embed(text)))
                    .as("pooling changes the vector")
                    .isLessThan(0.999);
            assertThat(
                            cosine(
                                    cls.embed(text),
                                    cls.embed(
                                            "Our release broke since Postgres had no storage left")))
                    .isGreaterThan(
                            cosine(clsVector, cls.embed("Who wants to play the new map tonight?")));
        }
    }

    @Test
    void batchTokenisationEqualsOneByOne() {
        List<String> texts = new ArrayList<>(ChatTexts.generate(10, 30, 9));
        texts.add("");
        texts.add("deploy ".repeat(10_000)); // over the pre-cut limit: takes the one-by-one path
        texts.add("word ".repeat(400));
        List<Tokenized> all = miniLm.tokenizer().tokenizeAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            Tokenized one = miniLm.tokenizer().tokenize(texts.get(i));
            assertThat(all.get(i).ids()).as("ids of text %d", i).containsExactly(one.ids());
            assertThat(all.get(i).truncated()).isEqualTo(one.truncated());
        }
    }

    @Test
    void nullIsAClearError() {
        assertThatThrownBy(() -> miniLm.embed((String) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void oddInputStillGivesUnitVectors() {
        StringBuilder zalgo = new StringBuilder("z");
        for (int i = 0; i < 500; i++) {
            zalgo.append('\u0301');
        }
        List<String> odd =
                List.of(
                        "",
                        " ",
                        "\u0000\u0000",
                        "\ud800 lone high",
                        "lone low \udc00",
                        zalgo.toString(),
                        "🔥🚀 emoji 👨‍👩‍👧",
                        "\t\n\r");
        for (String text : odd) {
            assertThat(norm(miniLm.embed(text)))
                    .as("norm for %s", text)
                    .isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void aMegabyteOfTextIsTruncatedLikeTheWholeText() {
        String huge = "deploy ".repeat(150_000);
        Tokenized t = miniLm.tokenizer().tokenize(huge);
        assertThat(t.length()).isEqualTo(256);
        assertThat(t.truncated()).isTrue();
        assertThat(cosine(miniLm.embed(huge), miniLm.embed("deploy ".repeat(300))))
                .isGreaterThan(0.9999);
    }

    @Test
    void cuttingLongTextNeverDropsTokensItWouldKeep() {
        // Mostly whitespace: the first 25,600 characters hold fewer than 256 tokens.
        String sparse = " ".repeat(30_000) + "word ".repeat(300);
        Tokenized t = miniLm.tokenizer().tokenize(sparse);
        assertThat(t.length()).isEqualTo(256);
    }
}
