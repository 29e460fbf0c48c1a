package io.discordrag.indexer.udf.model;

/** Test helper: variants of built-in specs. */
final class ModelSpecs {

    private ModelSpecs() {}

    static ModelSpec withPooling(ModelSpec spec, Pooling pooling) {
        return ModelSpec.classpath(
                spec.id() + "-" + pooling,
                resource(spec, ".onnx"),
                resource(spec, "-tokenizer.json"),
                pooling,
                spec.maxTokens());
    }

    private static String resource(ModelSpec spec, String suffix) {
        String s = spec.toString();
        String onnx = s.substring(s.indexOf("classpath:") + "classpath:".length(), s.length() - 1);
        return onnx.substring(0, onnx.length() - ".onnx".length()) + suffix;
    }
}
