package io.discordrag.indexer.udf.model;

import org.apache.flink.runtime.throwable.ThrowableClassifier;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class NativeLibrariesTest {

    @Test
    void passesWhereTheNativeLibraryJarsAreOnTheClasspath() {
        assertThatCode(NativeLibraries::require).doesNotThrowAnyException();
    }

    /** What {@link NativeLibraries#require} throws where none of the jars can be loaded. */
    private static NativeLibraries.MissingException requireWithoutTheJars() throws Exception {
        try (URLClassLoader withoutThem =
                new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            return catchThrowableOfType(
                    NativeLibraries.MissingException.class,
                    () -> NativeLibraries.require(withoutThem));
        }
    }

    @Test
    void namesEveryMissingJarAndWhereItGoesInOneLine() throws Exception {
        NativeLibraries.MissingException e = requireWithoutTheJars();
        assertThat(e.getMessage())
                .contains("[onnxruntime, tokenizers, api, jna]")
                .contains("job/target/flink-lib/*.jar")
                .contains("lib/")
                .doesNotContain("\n");
    }

    @Test
    void isAFailureFlinkDoesNotRestartAJobFor() throws Exception {
        NativeLibraries.MissingException e = requireWithoutTheJars();
        assertThat(ThrowableClassifier.getThrowableType(e))
                .isEqualTo(ThrowableType.NonRecoverableError);
        // as the task's failure reaches the scheduler: wrapped
        assertThat(
                        ThrowableClassifier.findThrowableOfThrowableType(
                                new RuntimeException("open failed", e),
                                ThrowableType.NonRecoverableError))
                .containsSame(e);
    }
}
