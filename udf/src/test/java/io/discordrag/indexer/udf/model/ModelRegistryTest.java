package io.discordrag.indexer.udf.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRegistryTest {

    @Test
    void everyBuiltInModelIsUsableFromTheModuleClasspath() {
        // tests, the demo and the benchmarks use them all; only the job jar leaves some out
        for (String id : ModelRegistry.ids()) {
            assertThat(ModelRegistry.builtIn(id).id()).isEqualTo(id);
        }
    }

    @Test
    void theDeclaredDimensionOfEveryBuiltInModelIsTheLoadedModels() {
        for (String id : ModelRegistry.ids()) {
            ModelSpec spec = ModelRegistry.builtIn(id);
            try (EmbeddingModel model = EmbeddingModel.load(spec, 1)) {
                assertThat(ModelRegistry.dimension(spec)).as(id).hasValue(model.dimension());
            }
        }
        assertThat(
                        ModelRegistry.dimension(
                                ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL)
                                        .withMaxTokens(128)))
                .as("another spec under a built-in id is loaded to learn its dimension")
                .isEmpty();
    }

    @Test
    void aModelIsOnTheClasspathOnlyWithBothItsFiles() {
        ModelSpec builtIn = ModelRegistry.builtIn(ModelRegistry.DEFAULT_MODEL);
        assertThat(builtIn.onClasspath()).isTrue();
        assertThat(
                        ModelSpec.classpath(
                                        "gone",
                                        "gone.onnx",
                                        "all-minilm-l6-v2-tokenizer.json",
                                        Pooling.MEAN,
                                        256)
                                .onClasspath())
                .isFalse();
        assertThat(
                        ModelSpec.classpath(
                                        "gone",
                                        "all-minilm-l6-v2.onnx",
                                        "gone-tokenizer.json",
                                        Pooling.MEAN,
                                        256)
                                .onClasspath())
                .isFalse();
    }

    @Test
    void anUnknownIdNamesTheKnownOnes() {
        assertThatThrownBy(() -> ModelRegistry.builtIn("gpt-17"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpt-17")
                .hasMessageContaining(ModelRegistry.ids().toString());
    }
}
