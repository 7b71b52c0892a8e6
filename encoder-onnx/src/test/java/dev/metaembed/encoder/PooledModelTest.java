package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in pooled model (quantized all-MiniLM-L6-v2, pooled mode). */
class PooledModelTest {
  private static MetaEmbedEncoder encoder;
  private static List<String> documents;

  @BeforeAll
  static void load() throws IOException {
    encoder = MetaEmbedEncoder.load(BuiltinModel.POOLED_MINILM, EncoderOptions.defaults());
    documents = SampleData.manpages().corpus().values().stream().limit(24).toList();
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void unpacksIntoTheCacheOnceAndDescribesItself() throws IOException {
    Path dir = BuiltinModel.POOLED_MINILM.directory();
    assertTrue(Files.isRegularFile(dir.resolve("model.onnx")));
    assertEquals(dir, BuiltinModel.POOLED_MINILM.directory());
    assertEquals(384, encoder.dimension());
    assertEquals(16, encoder.queryVectors());
    assertEquals(64, encoder.documentVectors());
  }

  @Test
  void vectorZeroIsTheMeanPooledSentenceEmbedding() throws Exception {
    try (IndependentMeanPooling reference =
        new IndependentMeanPooling(BuiltinModel.POOLED_MINILM.directory())) {
      for (String text : List.of("list directory contents", documents.get(0), documents.get(1))) {
        float[] expected = reference.embed(text);
        assertTrue(Vectors.cosine(expected, encoder.encodeDocument(text)[0]) > 0.9999, text);
        assertTrue(Vectors.cosine(expected, encoder.encodeQuery(text)[0]) > 0.9999, text);
      }
    }
  }

  @Test
  void vectorsAreUnitLengthAndCountedTruly() throws Exception {
    try (IndependentMeanPooling reference =
        new IndependentMeanPooling(BuiltinModel.POOLED_MINILM.directory())) {
      for (String text : List.of("copy files", "list directory contents", documents.get(2))) {
        float[][] query = encoder.encodeQuery(text);
        int content = Math.min(reference.tokens(text), 256) - 2; // without [CLS] and [SEP]
        assertEquals(Math.min(16, 1 + segments(content) + content), query.length, text);
        for (float[] v : query) {
          double norm = 0;
          for (float x : v) {
            norm += x * x;
          }
          assertEquals(1.0, norm, 1e-5);
        }
      }
    }
    assertEquals(64, encoder.encodeDocument(documents.get(3)).length);
  }

  /** The quantized pooled model runs one text per inference: results never depend on batches. */
  @Test
  void batchesEqualSingleEncodings() throws IOException {
    assertEquals(1, encoder.config().maxBatchSize());
    List<float[][]> batched = encoder.encodeDocuments(documents);
    for (int i = 0; i < documents.size(); i++) {
      float[][] single = encoder.encodeDocument(documents.get(i));
      assertEquals(single.length, batched.get(i).length);
      for (int v = 0; v < single.length; v++) {
        assertArrayEquals(single[v], batched.get(i)[v], 0f, "doc " + i + " vector " + v);
      }
    }
  }

  /** Non-empty segments of the 2-, 4- and 8-way splits of {@code n} content tokens. */
  private static int segments(int n) {
    int count = 0;
    for (int parts = 2; parts <= 8 && parts / 2 < n; parts *= 2) {
      count += Math.min(parts, n);
    }
    return Math.min(count, 14);
  }

  @Test
  void sameTextSameVectors() throws IOException {
    assertArrayEquals(
        encoder.encodeDocument(documents.get(4)), encoder.encodeDocument(documents.get(4)));
    assertArrayEquals(encoder.encodeQuery("copy files"), encoder.encodeQuery("copy files"));
  }

  @Test
  void longTextIsTruncatedNotRejected() throws IOException {
    String longText = String.join(" ", java.util.Collections.nCopies(2000, "directory"));
    assertEquals(64, encoder.encodeDocument(longText).length);
  }
}
