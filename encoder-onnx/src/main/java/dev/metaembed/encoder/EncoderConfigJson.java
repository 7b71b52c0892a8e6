package dev.metaembed.encoder;

import com.google.gson.Gson;
import com.google.gson.JsonIOException;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import com.google.gson.stream.MalformedJsonException;
import dev.metaembed.encoder.EncoderConfig.Edit;
import dev.metaembed.encoder.EncoderConfig.ImageConfig;
import dev.metaembed.encoder.EncoderConfig.Mode;
import dev.metaembed.encoder.EncoderConfig.Side;
import dev.metaembed.encoder.EncoderConfig.Weights;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code metaembed.json} as written, bound by Gson (field names as in the file; a field left out is
 * null), and {@link #toConfig} as the one place that checks it and builds an {@link
 * EncoderConfig}. Every error names the file and the field.
 */
final class EncoderConfigJson {
  private static final Gson GSON = new Gson();
  private static final Pattern JSON_PATH = Pattern.compile("path \\$\\.?([\\w.\\[\\]]*)");
  private static final Set<String> INPUT_KEYS =
      Set.of("input_ids", "attention_mask", "token_type_ids", "pixel_values");

  String mode;
  String model;
  String tokenizer;
  Map<String, String> inputs;
  String output;
  Integer dimension;

  @SerializedName("max_length")
  Integer maxLength;

  SideJson query;
  SideJson document;
  Boolean normalize;
  ImageJson image;

  @SerializedName("max_batch_size")
  Integer maxBatchSize;

  WeightsJson weights;

  static final class SideJson {
    String prefix;
    Integer vectors;

    @SerializedName("meta_token_ids")
    long[] metaTokenIds;
  }

  static final class ImageJson {
    int[] size;
    float[] mean;
    float[] std;
    String layout;
  }

  static final class WeightsJson {
    String file;
    List<EditJson> edits;
  }

  static final class EditJson {
    String initializer;

    @SerializedName("append_rows")
    String appendRows;

    @SerializedName("add_product")
    List<String> addProduct;
  }

  /** A problem in the file, before the file's name is known to the message. */
  private static final class Problem extends RuntimeException {
    Problem(String field, String problem) {
      super("field \"" + field + "\" " + problem, null, false, false);
    }
  }

  /**
   * Binds the file; a value of the wrong JSON type is reported with the field Gson names.
   *
   * @throws IllegalArgumentException (without the file name, added by {@link #toConfig})
   */
  static Parsed read(Reader reader) throws IOException {
    try {
      EncoderConfigJson json = GSON.fromJson(reader, EncoderConfigJson.class);
      return new Parsed(json, null);
    } catch (JsonIOException e) {
      throw new IOException(e.getMessage(), e);
    } catch (JsonParseException e) {
      Matcher path = JSON_PATH.matcher(String.valueOf(e.getMessage()));
      boolean syntax =
          e.getCause() instanceof MalformedJsonException || e.getCause() instanceof EOFException;
      if (syntax || path.find() == false) {
        return new Parsed(null, "not valid JSON: " + e.getMessage());
      }
      String field = path.group(1).replaceAll("\\[\\d+]$", "");
      if (field.isEmpty()) {
        boolean notAnObject = String.valueOf(e.getMessage()).contains("Expected BEGIN_OBJECT");
        return new Parsed(
            null, notAnObject ? "must hold a JSON object" : "not valid JSON: " + e.getMessage());
      }
      return new Parsed(null, "field \"" + field + "\" has the wrong type: " + e.getMessage());
    }
  }

  /** What {@link #read} bound, or the problem it met. */
  record Parsed(EncoderConfigJson json, String problem) {
    EncoderConfig toConfig(Path file) {
      if (problem == null && json == null) {
        throw new IllegalArgumentException(file + ": must hold a JSON object");
      }
      if (problem != null) {
        throw new IllegalArgumentException(file + ": " + problem);
      }
      try {
        return json.validate();
      } catch (Problem e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage());
      }
    }
  }

  private EncoderConfig validate() {
    Mode mode = mode();
    int maxLength = positive("max_length", this.maxLength);
    int dim = positive("dimension", this.dimension);
    return new EncoderConfig(
        mode,
        required("model", model),
        required("tokenizer", tokenizer),
        inputs(),
        required("output", output),
        dim,
        maxLength,
        side("query", query, mode, maxLength),
        side("document", document, mode, maxLength),
        normalize == null || normalize,
        image == null ? null : image(),
        maxBatchSize == null ? 0 : positive("max_batch_size", maxBatchSize),
        weights == null ? null : weights());
  }

  private Mode mode() {
    try {
      return Mode.parse(required("mode", mode));
    } catch (IllegalArgumentException e) {
      throw new Problem("mode", e.getMessage());
    }
  }

  private Map<String, String> inputs() {
    if (inputs == null) {
      throw new Problem("inputs", "is missing");
    }
    Map<String, String> names = new TreeMap<>();
    for (Map.Entry<String, String> input : inputs.entrySet()) {
      if (INPUT_KEYS.contains(input.getKey()) == false) {
        throw new Problem("inputs." + input.getKey(), "unknown input; known: " + INPUT_KEYS);
      }
      names.put(input.getKey(), required("inputs." + input.getKey(), input.getValue()));
    }
    for (String key : new String[] {"input_ids", "attention_mask"}) {
      if (names.containsKey(key) == false) {
        throw new Problem("inputs." + key, "is required");
      }
    }
    return Map.copyOf(names);
  }

  private static Side side(String name, SideJson side, Mode mode, int maxLength) {
    if (side == null) {
      throw new Problem(name, "is missing");
    }
    long[] ids = side.metaTokenIds == null ? new long[0] : side.metaTokenIds.clone();
    int vectors = side.vectors == null ? ids.length : positive(name + ".vectors", side.vectors);
    if (mode == Mode.META_TOKENS) {
      if (ids.length == 0) {
        throw new Problem(name + ".meta_token_ids", "is required in meta-tokens mode");
      }
      if (vectors != ids.length) {
        throw new Problem(
            name + ".vectors", "is " + vectors + " but there are " + ids.length + " meta tokens");
      }
      if (ids.length >= maxLength) {
        throw new Problem(
            name + ".meta_token_ids",
            ids.length + " meta tokens leave no room for text in max_length " + maxLength);
      }
    } else if (vectors < 1) {
      throw new Problem(name + ".vectors", "is required in pooled mode");
    }
    return new Side(side.prefix == null ? "" : side.prefix, vectors, ids);
  }

  private ImageConfig image() {
    if (image.size == null || image.size.length != 2) {
      throw new Problem("image.size", "must be [width, height]");
    }
    if (image.size[0] < 1 || image.size[1] < 1) {
      throw new Problem("image.size", "must be positive");
    }
    String layout = image.layout == null ? "NCHW" : image.layout.toUpperCase(Locale.ROOT);
    if (layout.equals("NCHW") == false && layout.equals("NHWC") == false) {
      throw new Problem("image.layout", "must be \"NCHW\" or \"NHWC\", got \"" + layout + "\"");
    }
    float[] std = triple("std", image.std);
    if (std[0] <= 0 || std[1] <= 0 || std[2] <= 0) {
      throw new Problem("image.std", "must be positive");
    }
    return new ImageConfig(image.size[0], image.size[1], triple("mean", image.mean), std, layout);
  }

  private static float[] triple(String key, float[] values) {
    if (values == null || values.length != 3) {
      throw new Problem("image." + key, "must be three numbers (R, G, B)");
    }
    return values.clone();
  }

  private Weights weights() {
    if (weights.edits == null || weights.edits.isEmpty()) {
      throw new Problem("weights.edits", "must be a non-empty array of edits");
    }
    Set<String> edited = new HashSet<>();
    List<Edit> edits = new java.util.ArrayList<>();
    for (int i = 0; i < weights.edits.size(); i++) {
      Edit edit = edit(weights.edits.get(i), "weights.edits[" + i + "]");
      if (edited.add(edit.initializer()) == false) {
        throw new Problem(
            "weights.edits[" + i + "].initializer",
            "\"" + edit.initializer() + "\" is edited twice");
      }
      edits.add(edit);
    }
    return new Weights(required("weights.file", weights.file), List.copyOf(edits));
  }

  private static Edit edit(EditJson edit, String path) {
    if (edit == null) {
      throw new Problem(path, "must be an object");
    }
    String initializer = required(path + ".initializer", edit.initializer);
    if ((edit.appendRows != null) == (edit.addProduct != null)) {
      throw new Problem(path, "needs exactly one of \"append_rows\" and \"add_product\"");
    }
    if (edit.appendRows != null) {
      return new Edit(initializer, edit.appendRows, null);
    }
    if (edit.addProduct.size() != 2 || edit.addProduct.contains(null)) {
      throw new Problem(path + ".add_product", "must name two tensors [A, B]");
    }
    return new Edit(initializer, null, List.copyOf(edit.addProduct));
  }

  private static String required(String field, String value) {
    if (value == null) {
      throw new Problem(field, "is missing");
    }
    return value;
  }

  private static int positive(String field, Integer value) {
    if (value == null) {
      throw new Problem(field, "is missing");
    }
    if (value < 1) {
      throw new Problem(field, "must be a positive integer, got " + value);
    }
    return value;
  }
}
