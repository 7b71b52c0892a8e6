package dev.metaembed.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;

/**
 * The sentence embedding of all-MiniLM-L6-v2 computed the textbook way, apart from the encoder:
 * tokenize with truncation, run the model on one text, average the token states, normalize.
 */
final class IndependentMeanPooling implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;

  IndependentMeanPooling(Path modelDir) throws Exception {
    session =
        env.createSession(
            modelDir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
    tokenizer =
        HuggingFaceTokenizer.newInstance(
            modelDir.resolve("tokenizer.json"),
            Map.of("truncation", "true", "maxLength", "256", "padding", "false"));
  }

  float[] embed(String text) throws Exception {
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    long[][] input = {ids};
    long[][] mask = {encoding.getAttentionMask()};
    long[][] types = {new long[ids.length]};
    try (OnnxTensor a = OnnxTensor.createTensor(env, input);
        OnnxTensor b = OnnxTensor.createTensor(env, mask);
        OnnxTensor c = OnnxTensor.createTensor(env, types);
        OrtSession.Result result =
            session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
      float[][][] states = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
      float[] mean = new float[states[0][0].length];
      for (float[] token : states[0]) {
        for (int d = 0; d < mean.length; d++) {
          mean[d] += token[d] / states[0].length;
        }
      }
      return Vectors.normalize(mean);
    }
  }

  int tokens(String text) {
    return tokenizer.encode(text).getIds().length;
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }
}
