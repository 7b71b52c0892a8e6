package dev.metaembed.encoder;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A model's encoding contract, read from {@code metaembed.json} in the model folder. The module
 * README documents every field with examples.
 *
 * @param mode how vectors are taken from the model's output
 * @param model the ONNX file, relative to the model folder
 * @param tokenizer the Hugging Face {@code tokenizer.json}, relative to the model folder
 * @param inputs model input names: {@code input_ids} and {@code attention_mask} always, {@code
 *     token_type_ids} and {@code pixel_values} when the model has them
 * @param output name of the last-hidden-state output, shape [batch, sequence, dimension]
 * @param dimension components per vector (the output's last dimension)
 * @param maxLength tokens per input at most, meta tokens included; longer text is truncated
 * @param query how queries are encoded
 * @param document how documents are encoded
 * @param normalize whether vectors are L2-normalized
 * @param image image preprocessing, or null for a text-only model
 * @param maxBatchSize texts per inference at most, 0 for no limit; 1 for models whose output for a
 *     text depends on the other texts of its batch (dynamically quantized graphs)
 * @param weights trained weights applied to the model's initializers when it loads, or null
 */
public record EncoderConfig(
    Mode mode,
    String model,
    String tokenizer,
    Map<String, String> inputs,
    String output,
    int dimension,
    int maxLength,
    Side query,
    Side document,
    boolean normalize,
    ImageConfig image,
    int maxBatchSize,
    Weights weights) {

  /** Name of the configuration file in a model folder. */
  public static final String FILE_NAME = "metaembed.json";

  /** How vectors are taken from the model's last hidden states. */
  public enum Mode {
    /** Real MetaEmbed: the hidden states at the appended meta tokens. */
    META_TOKENS,
    /** Any token-level encoder: pooled summaries of the token states, coarse to fine. */
    POOLED;

    static Mode parse(String value) {
      return switch (value) {
        case "meta-tokens" -> META_TOKENS;
        case "pooled" -> POOLED;
        default ->
            throw new IllegalArgumentException(
                "must be \"meta-tokens\" or \"pooled\", got \"" + value + "\"");
      };
    }
  }

  /**
   * How one side (queries or documents) is encoded.
   *
   * @param prefix text put before the input (an instruction), may be empty
   * @param vectors vectors per input (the number of meta tokens in meta-tokens mode)
   * @param metaTokenIds token ids appended after the text, in Matryoshka order (meta-tokens mode)
   */
  public record Side(String prefix, int vectors, long[] metaTokenIds) {}

  /**
   * Image preprocessing for a model with a {@code pixel_values} input.
   *
   * @param width target width in pixels
   * @param height target height in pixels
   * @param mean per-channel mean (RGB) subtracted after scaling to [0, 1]
   * @param std per-channel standard deviation (RGB) divided by
   * @param layout "NCHW" or "NHWC"
   */
  public record ImageConfig(int width, int height, float[] mean, float[] std, String layout) {}

  /**
   * Trained weights shipped next to a model whose ONNX file stays as published: a safetensors file
   * and the edits that apply its tensors to the model's initializers when the session is created
   * (ONNX Runtime's {@code addInitializer}).
   *
   * @param file the safetensors file (float32 tensors), relative to the model folder
   * @param edits the edits, at most one per initializer
   */
  public record Weights(String file, List<Edit> edits) {}

  /**
   * One edit of one initializer: either {@code appendRows} (rows added after the initializer's rows,
   * e.g. meta-token embeddings after a word-embedding table) or {@code product} (two factors A [in,
   * r] and B [r, out] whose product is added to a [in, out] weight, e.g. a merged LoRA adapter).
   *
   * @param initializer the ONNX initializer's name
   * @param appendRows name of the tensor [rows, columns] to append, or null
   * @param product names of the factors A and B, or null
   */
  public record Edit(String initializer, String appendRows, List<String> product) {}

  private static final Set<String> INPUT_KEYS =
      Set.of("input_ids", "attention_mask", "token_type_ids", "pixel_values");

  /**
   * Reads {@code metaembed.json} from {@code modelDir}.
   *
   * @throws IOException when the file is missing or unreadable
   * @throws IllegalArgumentException naming the file and the field when the content is invalid
   */
  public static EncoderConfig read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE_NAME);
    JsonObject json;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonElement root = JsonParser.parseReader(reader);
      if (root.isJsonObject() == false) {
        throw new IllegalArgumentException(file + ": must hold a JSON object");
      }
      json = root.getAsJsonObject();
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          file.toString(), null, "no " + FILE_NAME + " in the model folder");
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    return new Parser(file, json).parse();
  }

  /** Reads fields from the JSON object, naming the file and field in every error. */
  private record Parser(Path file, JsonObject json) {
    EncoderConfig parse() {
      Mode mode = parseField("mode", () -> Mode.parse(string(json, "mode")));
      int dimension = positive(json, "dimension");
      int maxLength = positive(json, "max_length");
      Side query = side("query", mode, maxLength);
      Side document = side("document", mode, maxLength);
      return new EncoderConfig(
          mode,
          string(json, "model"),
          string(json, "tokenizer"),
          inputs(),
          string(json, "output"),
          dimension,
          maxLength,
          query,
          document,
          json.has("normalize")
              ? parseField("normalize", () -> json.get("normalize").getAsBoolean())
              : true,
          json.has("image") ? image() : null,
          json.has("max_batch_size") ? positive(json, "max_batch_size") : 0,
          json.has("weights") ? weights() : null);
    }

    private Weights weights() {
      JsonObject weights = object(json, "weights");
      JsonArray array = parseField("weights.edits", () -> weights.getAsJsonArray("edits"));
      if (array == null || array.isEmpty()) {
        throw error("weights.edits", "must be a non-empty array of edits");
      }
      List<Edit> edits = new ArrayList<>();
      Set<String> edited = new HashSet<>();
      for (int i = 0; i < array.size(); i++) {
        String path = "weights.edits[" + i + "]";
        JsonElement element = array.get(i);
        if (element.isJsonObject() == false) {
          throw error(path, "must be an object");
        }
        Edit edit = edit(element.getAsJsonObject(), path);
        if (edited.add(edit.initializer()) == false) {
          throw error(path + ".initializer", "\"" + edit.initializer() + "\" is edited twice");
        }
        edits.add(edit);
      }
      return new Weights(string(weights, "file", "weights.file"), List.copyOf(edits));
    }

    private Edit edit(JsonObject edit, String path) {
      String initializer = string(edit, "initializer", path + ".initializer");
      boolean append = edit.has("append_rows");
      if (append == edit.has("add_product")) {
        throw error(path, "needs exactly one of \"append_rows\" and \"add_product\"");
      }
      if (append) {
        return new Edit(initializer, string(edit, "append_rows", path + ".append_rows"), null);
      }
      JsonArray factors =
          parseField(path + ".add_product", () -> edit.getAsJsonArray("add_product"));
      if (factors == null || factors.size() != 2) {
        throw error(path + ".add_product", "must name two tensors [A, B]");
      }
      List<String> names = new ArrayList<>();
      for (int f = 0; f < 2; f++) {
        int index = f;
        names.add(parseField(path + ".add_product", () -> factors.get(index).getAsString()));
      }
      return new Edit(initializer, null, List.copyOf(names));
    }

    private Map<String, String> inputs() {
      JsonObject inputs = object(json, "inputs");
      Map<String, String> names = new java.util.TreeMap<>();
      for (String key : inputs.keySet()) {
        if (INPUT_KEYS.contains(key) == false) {
          throw error("inputs." + key, "unknown input; known: " + INPUT_KEYS);
        }
        names.put(key, string(inputs, key, "inputs." + key));
      }
      for (String required : new String[] {"input_ids", "attention_mask"}) {
        if (names.containsKey(required) == false) {
          throw error("inputs." + required, "is required");
        }
      }
      return Map.copyOf(names);
    }

    private Side side(String name, Mode mode, int maxLength) {
      JsonObject side = object(json, name);
      String prefix = side.has("prefix") ? string(side, "prefix", name + ".prefix") : "";
      long[] ids = new long[0];
      if (side.has("meta_token_ids")) {
        JsonArray array =
            parseField(name + ".meta_token_ids", () -> side.getAsJsonArray("meta_token_ids"));
        ids = new long[array.size()];
        for (int i = 0; i < ids.length; i++) {
          int index = i;
          ids[i] = parseField(name + ".meta_token_ids", () -> array.get(index).getAsLong());
        }
      }
      int vectors = side.has("vectors") ? positive(side, "vectors", name + ".vectors") : ids.length;
      if (mode == Mode.META_TOKENS) {
        if (ids.length == 0) {
          throw error(name + ".meta_token_ids", "is required in meta-tokens mode");
        }
        if (vectors != ids.length) {
          throw error(
              name + ".vectors", "is " + vectors + " but there are " + ids.length + " meta tokens");
        }
        if (ids.length >= maxLength) {
          throw error(
              name + ".meta_token_ids",
              ids.length + " meta tokens leave no room for text in max_length " + maxLength);
        }
      } else if (vectors < 1) {
        throw error(name + ".vectors", "is required in pooled mode");
      }
      return new Side(prefix, vectors, ids);
    }

    private ImageConfig image() {
      JsonObject image = object(json, "image");
      JsonArray size = parseField("image.size", () -> image.getAsJsonArray("size"));
      if (size == null || size.size() != 2) {
        throw error("image.size", "must be [width, height]");
      }
      String layout =
          image.has("layout")
              ? string(image, "layout", "image.layout").toUpperCase(Locale.ROOT)
              : "NCHW";
      if (layout.equals("NCHW") == false && layout.equals("NHWC") == false) {
        throw error("image.layout", "must be \"NCHW\" or \"NHWC\", got \"" + layout + "\"");
      }
      int width = parseField("image.size", () -> size.get(0).getAsInt());
      int height = parseField("image.size", () -> size.get(1).getAsInt());
      if (width < 1 || height < 1) {
        throw error("image.size", "must be positive");
      }
      return new ImageConfig(width, height, triple(image, "mean"), triple(image, "std"), layout);
    }

    private float[] triple(JsonObject image, String key) {
      JsonArray array = parseField("image." + key, () -> image.getAsJsonArray(key));
      if (array == null || array.size() != 3) {
        throw error("image." + key, "must be three numbers (R, G, B)");
      }
      float[] values = new float[3];
      for (int i = 0; i < 3; i++) {
        int index = i;
        values[i] = parseField("image." + key, () -> array.get(index).getAsFloat());
      }
      if (key.equals("std") && (values[0] <= 0 || values[1] <= 0 || values[2] <= 0)) {
        throw error("image.std", "must be positive");
      }
      return values;
    }

    private JsonObject object(JsonObject parent, String key) {
      JsonElement value = parent.get(key);
      if (value == null || value.isJsonObject() == false) {
        throw error(key, value == null ? "is missing" : "must be an object");
      }
      return value.getAsJsonObject();
    }

    private String string(JsonObject parent, String key) {
      return string(parent, key, key);
    }

    private String string(JsonObject parent, String key, String path) {
      JsonElement value = parent.get(key);
      if (value == null
          || value.isJsonPrimitive() == false
          || value.getAsJsonPrimitive().isString() == false) {
        throw error(path, value == null ? "is missing" : "must be a string");
      }
      return value.getAsString();
    }

    private int positive(JsonObject parent, String key) {
      return positive(parent, key, key);
    }

    private int positive(JsonObject parent, String key, String path) {
      JsonElement value = parent.get(key);
      if (value == null) {
        throw error(path, "is missing");
      }
      int number = parseField(path, value::getAsInt);
      if (number < 1) {
        throw error(path, "must be a positive integer, got " + number);
      }
      return number;
    }

    private <T> T parseField(String path, java.util.function.Supplier<T> read) {
      try {
        return read.get();
      } catch (IllegalArgumentException
          | IllegalStateException
          | ClassCastException
          | UnsupportedOperationException e) {
        throw error(path, e.getMessage());
      }
    }

    private IllegalArgumentException error(String path, String problem) {
      return new IllegalArgumentException(file + ": field \"" + path + "\" " + problem);
    }
  }
}
