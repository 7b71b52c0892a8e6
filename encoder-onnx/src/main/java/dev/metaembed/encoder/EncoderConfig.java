package dev.metaembed.encoder;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
  public record Side(String prefix, int vectors, long[] metaTokenIds) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Side other
          && prefix.equals(other.prefix)
          && vectors == other.vectors
          && Arrays.equals(metaTokenIds, other.metaTokenIds);
    }

    @Override
    public int hashCode() {
      return Objects.hash(prefix, vectors, Arrays.hashCode(metaTokenIds));
    }

    @Override
    public String toString() {
      return "Side[prefix="
          + prefix
          + ", vectors="
          + vectors
          + ", metaTokenIds="
          + Arrays.toString(metaTokenIds)
          + "]";
    }
  }

  /**
   * Image preprocessing for a model with a {@code pixel_values} input.
   *
   * @param width target width in pixels
   * @param height target height in pixels
   * @param mean per-channel mean (RGB) subtracted after scaling to [0, 1]
   * @param std per-channel standard deviation (RGB) divided by
   * @param layout "NCHW" or "NHWC"
   */
  public record ImageConfig(int width, int height, float[] mean, float[] std, String layout) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ImageConfig other
          && width == other.width
          && height == other.height
          && Arrays.equals(mean, other.mean)
          && Arrays.equals(std, other.std)
          && layout.equals(other.layout);
    }

    @Override
    public int hashCode() {
      return Objects.hash(width, height, Arrays.hashCode(mean), Arrays.hashCode(std), layout);
    }

    @Override
    public String toString() {
      return "ImageConfig["
          + width
          + "x"
          + height
          + ", mean="
          + Arrays.toString(mean)
          + ", std="
          + Arrays.toString(std)
          + ", "
          + layout
          + "]";
    }
  }

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

  /**
   * Reads {@code metaembed.json} from {@code modelDir}: bound to {@link EncoderConfigJson} by Gson,
   * then checked there, in one place.
   *
   * @throws IOException when the file is missing or unreadable
   * @throws IllegalArgumentException naming the file and the field when the content is invalid
   */
  public static EncoderConfig read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE_NAME);
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return EncoderConfigJson.read(reader).toConfig(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          file.toString(), null, "no " + FILE_NAME + " in the model folder");
    }
  }
}
