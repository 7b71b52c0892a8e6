package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meta-tokens path, the image path and bad input, on the generated tiny model. */
class TinyModelEncoderTest {
  private static final float[] NO_IMAGE = {0, 0, 0};
  private static MetaEmbedEncoder encoder;

  @TempDir Path temp;

  @BeforeAll
  static void load() throws IOException {
    encoder = MetaEmbedEncoder.load(TinyModel.directory(), new EncoderOptions(1, 3));
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void queryVectorsAreTheStatesAtTheQueryMetaTokens() throws IOException {
    float[][] vectors = encoder.encodeQuery("hello world"); // [CLS] hello world [SEP] [Q0..Q3]
    assertEquals(4, vectors.length);
    assertEquals(4, encoder.queryVectors());
    assertEquals(TinyModel.DIM, encoder.dimension());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(
          TinyModel.expectedState(20 + i, 4 + i, NO_IMAGE), vectors[i], 1e-6f, "meta " + i);
    }
  }

  @Test
  void documentsGetTheDocumentMetaTokens() throws IOException {
    float[][] vectors = encoder.encodeDocument("copy files"); // [CLS] copy files [SEP] [D0..D7]
    assertEquals(8, vectors.length);
    assertEquals(8, encoder.documentVectors());
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(
          TinyModel.expectedState(30 + i, 4 + i, NO_IMAGE), vectors[i], 1e-6f, "meta " + i);
    }
  }

  @Test
  void longTextIsTruncatedAndMetaTokensStay() throws IOException {
    String longText =
        "the man page of the list of directory contents and the copy of files is in a page";
    float[][] vectors = encoder.encodeQuery(longText); // max_length 12: 8 text tokens, then 4 meta
    assertEquals(4, vectors.length);
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(TinyModel.expectedState(20 + i, 8 + i, NO_IMAGE), vectors[i], 1e-6f);
    }
    float[][] documentVectors = encoder.encodeDocument(longText); // 4 text tokens, then 8 meta
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(
          TinyModel.expectedState(30 + i, 4 + i, NO_IMAGE), documentVectors[i], 1e-6f);
    }
  }

  @Test
  void imagesArePreprocessedAndReachTheModel() throws IOException {
    BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    Color color = new Color(255, 64, 0);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 2; x++) {
        image.setRGB(x, y, color.getRGB());
      }
    }
    // uniform colour survives resizing; then (x / 255 - mean) / std with mean 0.5, std (0.5, 0.25,
    // 0.125)
    float[] means = {(1f - 0.5f) / 0.5f, (64 / 255f - 0.5f) / 0.25f, (0f - 0.5f) / 0.125f};
    float[][] vectors = encoder.encodeDocument("hello", image);
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(TinyModel.expectedState(30 + i, 3 + i, means), vectors[i], 1e-5f);
    }
  }

  @Test
  void batchesEqualSingleEncodingsInInputOrder() throws IOException {
    List<String> texts =
        List.of(
            "hello",
            "copy files to the directory",
            "man page",
            "a",
            "list the contents of a directory");
    List<float[][]> batched = encoder.encodeDocuments(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[][] single = encoder.encodeDocument(texts.get(i));
      for (int v = 0; v < single.length; v++) {
        assertArrayEquals(single[v], batched.get(i)[v], 0f);
      }
    }
  }

  @Test
  void concurrentUseGivesTheSameVectors() throws Exception {
    float[][] expected = encoder.encodeQuery("list directory contents");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> encoder.encodeQuery("list directory contents")));
      }
      for (Future<float[][]> result : results) {
        assertArrayEquals(expected, result.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Closing while other threads encode waits for them (freeing the session under a running
   * inference crashed the JVM in ONNX Runtime); every encoding either completes with the right
   * vectors or is refused as closed, and the encoder refuses work afterwards.
   */
  @Test
  void closeWaitsForRunningEncodingsAndRefusesLaterOnes() throws Exception {
    MetaEmbedEncoder own = MetaEmbedEncoder.load(TinyModel.directory(), new EncoderOptions(1, 3));
    float[][] expected = own.encodeQuery("list directory contents");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    int completed = 0;
    int refused = 0;
    try {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        results.add(pool.submit(() -> own.encodeQuery("list directory contents")));
      }
      own.close();
      for (Future<float[][]> result : results) {
        try {
          assertArrayEquals(expected, result.get());
          completed++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
          assertEquals("this encoder is closed", e.getCause().getMessage());
          refused++;
        }
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(200, completed + refused);
    IllegalStateException after =
        assertThrows(IllegalStateException.class, () -> own.encodeDocument("ls"));
    assertEquals("this encoder is closed", after.getMessage());
    own.close(); // idempotent
  }

  @Test
  void normalizationGivesUnitVectors() throws IOException {
    Path dir = TinyModel.variant(temp, json -> json.addProperty("normalize", true));
    try (MetaEmbedEncoder normalizing = MetaEmbedEncoder.load(dir)) {
      for (float[] v : normalizing.encodeQuery("hello world")) {
        double norm = 0;
        for (float x : v) {
          norm += x * x;
        }
        assertEquals(1.0, norm, 1e-5);
      }
    }
  }

  @Test
  void emptyTextIsRejected() {
    assertMessage(IllegalArgumentException.class, "empty text", () -> encoder.encodeQuery(""));
    assertMessage(IllegalArgumentException.class, "empty text", () -> encoder.encodeDocument("  "));
    assertMessage(
        IllegalArgumentException.class,
        "empty text",
        () -> encoder.encodeDocuments(List.of("ok", "")));
  }

  @Test
  void imageForATextOnlyModelIsRejected() throws IOException {
    Path dir =
        TinyModel.variant(
            temp,
            json -> {
              json.addProperty("model", "text-model.onnx");
              json.remove("image");
              json.getAsJsonObject("inputs").remove("pixel_values");
            });
    try (MetaEmbedEncoder textOnly = MetaEmbedEncoder.load(dir)) {
      assertEquals(4, textOnly.encodeQuery("hello").length);
      BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
      assertMessage(
          IllegalArgumentException.class,
          "takes no images",
          () -> textOnly.encodeDocument("hello", image));
    }
  }

  @Test
  void missingOrMalformedConfiguration() throws IOException {
    assertMessage(NoSuchFileException.class, "metaembed.json", () -> MetaEmbedEncoder.load(temp));
    Files.writeString(temp.resolve("metaembed.json"), "{ not json");
    assertMessage(
        IllegalArgumentException.class,
        "metaembed.json: not valid JSON",
        () -> MetaEmbedEncoder.load(temp));
    Files.writeString(temp.resolve("metaembed.json"), "[1, 2]");
    assertMessage(
        IllegalArgumentException.class,
        "must hold a JSON object",
        () -> MetaEmbedEncoder.load(temp));
  }

  @Test
  void badFieldsAreNamed() throws IOException {
    assertBadField(
        "field \"mode\" must be \"meta-tokens\" or \"pooled\"",
        json -> json.addProperty("mode", "magic"));
    assertBadField("field \"dimension\" is missing", json -> json.remove("dimension"));
    assertBadField(
        "field \"dimension\" has the wrong type", json -> json.addProperty("dimension", true));
    assertBadField(
        "field \"query.meta_token_ids\" has the wrong type",
        json -> json.getAsJsonObject("query").addProperty("meta_token_ids", "x"));
    assertBadField(
        "field \"max_length\" must be a positive integer, got 0",
        json -> json.addProperty("max_length", 0));
    assertBadField(
        "field \"query.vectors\" is 5 but there are 4 meta tokens",
        json -> json.getAsJsonObject("query").addProperty("vectors", 5));
    assertBadField(
        "field \"document.meta_token_ids\" is required in meta-tokens mode",
        json -> json.getAsJsonObject("document").remove("meta_token_ids"));
    assertBadField(
        "field \"inputs.attention_mask\" is required",
        json -> json.getAsJsonObject("inputs").remove("attention_mask"));
    assertBadField(
        "field \"image.layout\" must be \"NCHW\" or \"NHWC\"",
        json -> json.getAsJsonObject("image").addProperty("layout", "CHW"));
    assertBadField(
        "field \"image\" is required with inputs.pixel_values", json -> json.remove("image"));
    assertBadField(
        "model.onnx needs input \"pixel_values\", which field \"inputs\" does not map",
        json -> {
          json.remove("image");
          json.getAsJsonObject("inputs").remove("pixel_values");
        });
  }

  @Test
  void configurationThatDisagreesWithTheModelIsNamed() throws IOException {
    assertBadField(
        "field \"inputs.input_ids\" names \"ids\", which model.onnx does not have",
        json -> json.getAsJsonObject("inputs").addProperty("input_ids", "ids"));
    assertBadField(
        "field \"output\" names \"pooler_output\", which model.onnx does not have",
        json -> json.addProperty("output", "pooler_output"));
    assertBadField(
        "field \"dimension\" is 8 but output \"last_hidden_state\" of model.onnx has shape",
        json -> json.addProperty("dimension", 8));
  }

  @Test
  void missingModelOrTokenizerFileIsNamed() throws IOException {
    Path dir = TinyModel.variant(temp, json -> {});
    Files.delete(dir.resolve("model.onnx"));
    assertMessage(NoSuchFileException.class, "model.onnx", () -> MetaEmbedEncoder.load(dir));
    Files.delete(dir.resolve("tokenizer.json"));
    assertMessage(NoSuchFileException.class, "tokenizer.json", () -> MetaEmbedEncoder.load(dir));
  }

  @Test
  void corruptModelFileIsAnIOExceptionNamingIt() throws IOException {
    Path dir = TinyModel.variant(temp, json -> {});
    Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
    assertMessage(IOException.class, "model.onnx", () -> MetaEmbedEncoder.load(dir));
  }

  private int variants;

  @Test
  void configurationsCompareByContent() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("same"));
    TinyModel.variant(dir, json -> {});
    EncoderConfig first = EncoderConfig.read(dir);
    EncoderConfig second = EncoderConfig.read(dir);
    assertEquals(first, second); // arrays in Side and ImageConfig compare by content
    assertEquals(first.hashCode(), second.hashCode());
    Path other = Files.createDirectory(temp.resolve("other"));
    TinyModel.variant(
        other, json -> json.getAsJsonObject("query").add("meta_token_ids", ids(7, 8, 9, 10)));
    assertNotEquals(first.query(), EncoderConfig.read(other).query());
  }

  private static com.google.gson.JsonArray ids(long... values) {
    com.google.gson.JsonArray array = new com.google.gson.JsonArray();
    for (long v : values) {
      array.add(v);
    }
    return array;
  }

  private void assertBadField(
      String message, java.util.function.Consumer<com.google.gson.JsonObject> edit)
      throws IOException {
    Path dir = Files.createDirectory(temp.resolve("variant" + variants++));
    TinyModel.variant(dir, edit);
    assertMessage(
        IllegalArgumentException.class, message, () -> MetaEmbedEncoder.load(dir).close());
  }

  private static <T extends Throwable> void assertMessage(
      Class<T> type, String message, org.junit.jupiter.api.function.Executable call) {
    T e = assertThrows(type, call);
    assertTrue(String.valueOf(e.getMessage()).contains(message), e.getMessage());
    assertNotEquals(null, e.getMessage());
  }
}
