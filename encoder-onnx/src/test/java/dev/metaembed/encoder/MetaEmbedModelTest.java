package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default built-in model: meta tokens and LoRA adapters trained by {@code training/}, applied
 * to the fp32 all-MiniLM-L6-v2 when it loads. Golden vectors come from PyTorch on the exported
 * files ({@code training/golden.py}), so a wrong edit, a wrong meta-token id or a wrong truncation
 * in Java shows up here.
 */
class MetaEmbedModelTest {
  private static MetaEmbedEncoder encoder;
  private static JsonObject golden;

  @BeforeAll
  static void load() throws IOException {
    encoder = MetaEmbedEncoder.loadDefault();
    try (Reader in =
        new InputStreamReader(
            MetaEmbedModelTest.class.getResourceAsStream("/metaembed-minilm-golden.json"),
            StandardCharsets.UTF_8)) {
      golden = JsonParser.parseReader(in).getAsJsonObject();
    }
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void isTheTrainedMetaTokensModelAndShipsSmall() throws IOException {
    assertEquals(EncoderConfig.Mode.META_TOKENS, encoder.config().mode());
    assertEquals(384, encoder.dimension());
    assertEquals(16, encoder.queryVectors());
    assertEquals(64, encoder.documentVectors());
    Path dir = BuiltinModel.DEFAULT.directory();
    long weights = Files.size(dir.resolve(encoder.config().weights().file()));
    assertTrue(weights < 4 << 20, "the trained weights are " + weights + " bytes");
  }

  @Test
  void queryVectorsAreUnitAndEqualPyTorch() throws IOException {
    float[][] query = encoder.encodeQuery(golden.get("query").getAsString());
    JsonArray expected = golden.getAsJsonArray("query_vectors");
    assertEquals(16, query.length);
    for (int i = 0; i < 16; i++) {
      assertUnit(query[i]);
      assertClose(expected.get(i).getAsJsonArray(), query[i], "query vector " + i);
    }
  }

  @Test
  void documentVectorsAreUnitAndEqualPyTorch() throws IOException {
    float[][] document = encoder.encodeDocument(golden.get("document").getAsString());
    assertEquals(64, document.length);
    for (float[] vector : document) {
      assertUnit(vector);
    }
    JsonObject expected = golden.getAsJsonObject("document_vectors");
    for (String index : expected.keySet()) {
      assertClose(
          expected.getAsJsonArray(index),
          document[Integer.parseInt(index)],
          "document vector " + index);
    }
  }

  @Test
  void batchesEqualSingleEncodings() throws IOException {
    List<String> texts = SampleData.manpages().corpus().values().stream().limit(6).toList();
    List<float[][]> batched = encoder.encodeDocuments(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[][] single = encoder.encodeDocument(texts.get(i));
      for (int v = 0; v < single.length; v++) {
        assertTrue(
            Vectors.cosine(single[v], batched.get(i)[v]) > 0.99999, "doc " + i + " vector " + v);
      }
    }
  }

  private static void assertUnit(float[] vector) {
    double norm = 0;
    for (float x : vector) {
      norm += x * x;
    }
    assertEquals(1.0, norm, 1e-5);
  }

  private static void assertClose(JsonArray expected, float[] actual, String what) {
    assertEquals(expected.size(), actual.length, what);
    double maxDiff = 0;
    for (int c = 0; c < actual.length; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(expected.get(c).getAsDouble() - actual[c]));
    }
    assertTrue(maxDiff < 1e-4, what + ": max difference from PyTorch " + maxDiff);
  }
}
