package dev.metaembed.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trained weights applied at load time ({@code "weights"} in metaembed.json), on the tiny model's
 * {@code adapted-model.onnx}: state = (E[id] · W) + position + bias, with E [40, 16] and W the
 * identity. The edits append meta rows to E (ids 40..44, beyond the model's vocabulary: ONNX
 * Runtime accepts a replacement initializer of another shape) and add A · B to W.
 */
class WeightEditsTest {
  private static final int DIM = TinyModel.DIM;
  private static final int META = 5;
  private static final int RANK = 2;
  private static final long SEED = 20261126L;

  @TempDir Path temp;

  private final Random random = new Random(SEED);
  private final float[] meta = randoms(META * DIM);
  private final float[] a = randoms(DIM * RANK);
  private final float[] b = randoms(RANK * DIM);

  @Test
  void metaRowsAndLowRankProductChangeTheModelAsComputedByHand() throws IOException {
    System.out.println("WeightEditsTest seed " + SEED);
    Path dir = adaptedModel(weights(), config -> {});
    float[] w = identityPlusProduct();
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.load(dir)) {
      float[][] query = encoder.encodeQuery("hello world"); // [CLS] hello world [SEP] [40] [41]
      assertEquals(2, query.length);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(expected(metaRow(i), w, 4 + i), query[i], 1e-5f, "query meta " + i);
      }
      float[][] document = encoder.encodeDocument("copy"); // [CLS] copy [SEP] [42] [43] [44]
      assertEquals(3, document.length);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(
            expected(metaRow(2 + i), w, 3 + i), document[i], 1e-5f, "document meta " + i);
      }
    }
  }

  @Test
  void readsInitializersStoredAsFloatDataAndAsRawData() throws IOException {
    Path onnx = TinyModel.directory().resolve("adapted-model.onnx");
    Map<String, FloatTensor> read = OnnxInitializers.read(onnx, Set.of("E", "W"));
    assertArrayEquals(new long[] {40, DIM}, read.get("E").shape()); // float_data
    assertArrayEquals(new long[] {DIM, DIM}, read.get("W").shape()); // raw_data
    for (int id = 0; id < 40; id++) {
      for (int c = 0; c < DIM; c++) {
        assertEquals(baseRow(id)[c], read.get("E").values().get(id * DIM + c), 1e-7f);
      }
    }
    assertEquals(1f, read.get("W").values().get(3 * DIM + 3));
    assertEquals(0f, read.get("W").values().get(3 * DIM + 4));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> OnnxInitializers.read(onnx, Set.of("E", "nope")));
    assertTrue(
        missing.getMessage().contains("no initializer named \"nope\""), missing.getMessage());
    IllegalArgumentException notFloat =
        assertThrows(
            IllegalArgumentException.class, () -> OnnxInitializers.read(onnx, Set.of("zero")));
    assertTrue(notFloat.getMessage().contains("\"zero\" is not float32"), notFloat.getMessage());
    Path garbage = Files.write(temp.resolve("garbage.onnx"), new byte[] {0x3a, 0x7f, 0x01});
    IllegalArgumentException invalid =
        assertThrows(
            IllegalArgumentException.class, () -> OnnxInitializers.read(garbage, Set.of("E")));
    assertTrue(invalid.getMessage().contains("not a valid ONNX model"), invalid.getMessage());
  }

  @Test
  void badWeightsAreRefusedNamingTheFileAndTheTensor() throws IOException {
    assertRefused(
        new SafeTensorsWriter().put("meta", new long[] {META, DIM}, meta),
        c -> {},
        "has no tensor \"lora.a\"");
    assertRefused(
        weights().put("extra", new long[] {1}, new float[1]),
        c -> {},
        "[extra] are used by no edit");
    assertRefused(
        new SafeTensorsWriter()
            .put("meta", new long[] {META, DIM - 1}, randoms(META * (DIM - 1)))
            .put("lora.a", new long[] {DIM, RANK}, a)
            .put("lora.b", new long[] {RANK, DIM}, b),
        c -> {},
        "rows meta [5, 15] cannot be appended to initializer \"E\" [40, 16]");
    assertRefused(
        new SafeTensorsWriter()
            .put("meta", new long[] {META, DIM}, meta)
            .put("lora.a", new long[] {DIM, RANK}, a)
            .put("lora.b", new long[] {RANK + 1, DIM}, randoms((RANK + 1) * DIM)),
        c -> {},
        "the product of lora.a [16, 2] and lora.b [3, 16] cannot be added to initializer \"W\" [16, 16]");
    assertRefused(
        weights(),
        c -> edits(c).get(1).getAsJsonObject().addProperty("initializer", "E"),
        "\"E\" is edited twice");
    assertRefused(
        weights(),
        c -> edits(c).get(1).getAsJsonObject().addProperty("append_rows", "meta"),
        "needs exactly one of \"append_rows\" and \"add_product\"");
    assertRefused(
        weights(),
        c -> edits(c).get(1).getAsJsonObject().addProperty("initializer", "nope"),
        "no initializer named \"nope\"");
    assertRefused(
        weights(),
        c -> c.getAsJsonObject("weights").add("edits", new JsonArray()),
        "must be a non-empty array");
  }

  @Test
  void corruptSafetensorsFilesAreRefused() throws IOException {
    JsonObject wrongType = weights().header();
    wrongType.getAsJsonObject("meta").addProperty("dtype", "F16");
    assertRefused(weights(), wrongType, "tensor \"meta\" is F16; only F32 is supported");
    JsonObject pastTheEnd = weights().header();
    pastTheEnd
        .getAsJsonObject("lora.b")
        .getAsJsonArray("data_offsets")
        .set(1, new com.google.gson.JsonPrimitive(1 << 20));
    assertRefused(weights(), pastTheEnd, "tensor \"lora.b\" has data_offsets");
    Path dir = adaptedModel(weights(), c -> {});
    Files.write(dir.resolve("weights.safetensors"), new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0});
    IllegalArgumentException shortHeader =
        assertThrows(IllegalArgumentException.class, () -> MetaEmbedEncoder.load(dir));
    assertTrue(
        shortHeader.getMessage().contains("not a valid safetensors file"),
        shortHeader.getMessage());
    Files.delete(dir.resolve("weights.safetensors"));
    NoSuchFileException missing =
        assertThrows(NoSuchFileException.class, () -> MetaEmbedEncoder.load(dir));
    assertTrue(missing.getMessage().contains("weights.file"), missing.getMessage());
  }

  private void assertRefused(SafeTensorsWriter weights, Consumer<JsonObject> edit, String expected)
      throws IOException {
    Path dir = adaptedModel(weights, edit);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MetaEmbedEncoder.load(dir));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private void assertRefused(SafeTensorsWriter weights, JsonObject header, String expected)
      throws IOException {
    Path dir = adaptedModel(weights, c -> {});
    weights.write(dir.resolve("weights.safetensors"), header);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MetaEmbedEncoder.load(dir));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private SafeTensorsWriter weights() {
    return new SafeTensorsWriter()
        .put("meta", new long[] {META, DIM}, meta)
        .put("lora.a", new long[] {DIM, RANK}, a)
        .put("lora.b", new long[] {RANK, DIM}, b);
  }

  /** A copy of the tiny model folder using adapted-model.onnx with these weights. */
  private Path adaptedModel(SafeTensorsWriter weights, Consumer<JsonObject> edit)
      throws IOException {
    Path dir = Files.createTempDirectory(temp, "model");
    TinyModel.variant(
        dir,
        json -> {
          json.addProperty("model", "adapted-model.onnx");
          json.getAsJsonObject("inputs").remove("pixel_values");
          json.remove("image");
          json.add("query", JsonParser.parseString("{\"meta_token_ids\": [40, 41]}"));
          json.add("document", JsonParser.parseString("{\"meta_token_ids\": [42, 43, 44]}"));
          json.add(
              "weights",
              JsonParser.parseString(
                  """
          {"file": "weights.safetensors", "edits": [
            {"initializer": "E", "append_rows": "meta"},
            {"initializer": "W", "add_product": ["lora.a", "lora.b"]}]}"""));
          edit.accept(json);
        });
    weights.write(dir.resolve("weights.safetensors"));
    return dir;
  }

  private static JsonArray edits(JsonObject config) {
    return config.getAsJsonObject("weights").getAsJsonArray("edits");
  }

  private float[] identityPlusProduct() {
    float[] w = new float[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      w[i * DIM + i] = 1f;
      for (int j = 0; j < DIM; j++) {
        for (int k = 0; k < RANK; k++) {
          w[i * DIM + j] += a[i * RANK + k] * b[k * DIM + j];
        }
      }
    }
    return w;
  }

  private float[] metaRow(int index) {
    float[] row = new float[DIM];
    System.arraycopy(meta, index * DIM, row, 0, DIM);
    return row;
  }

  /** The tiny model's row for a token of its own vocabulary. */
  private static float[] baseRow(int id) {
    float[] row = new float[DIM];
    row[id % 10] = 1f;
    row[10] = id / 100f;
    return row;
  }

  private static float[] expected(float[] row, float[] w, int position) {
    float[] state = new float[DIM];
    for (int j = 0; j < DIM; j++) {
      for (int i = 0; i < DIM; i++) {
        state[j] += row[i] * w[i * DIM + j];
      }
    }
    state[11] += 0.1f * position;
    state[15] += 1f;
    return state;
  }

  private float[] randoms(int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
