package dev.metaembed.cli;

import dev.metaembed.encoder.BuiltinModel;
import dev.metaembed.encoder.EncoderOptions;
import dev.metaembed.encoder.MetaEmbedEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What the CLI writes into an index: field names, and the commit user data that records which
 * encoder made the vectors, so search and eval encode queries with the same model.
 */
final class IndexLayout {
  static final String ID = "id";
  static final String TITLE = "title";
  static final String VECTORS = "page";

  /** Lucene's own late-interaction field, written only with {@code index --lucene-baseline}. */
  static final String LUCENE_VECTORS = "lucene_page";

  static final String MODEL_KEY = "metaembed.model";

  /** Prefix of a built-in model's name in {@code --model} and in the commit user data. */
  static final String BUILTIN = "builtin:";

  /** What indexes built before the trained default recorded: the pooled model was the default then. */
  static final String LEGACY_DEFAULT = "default";

  static final String MODEL_HELP =
      "a model folder with metaembed.json, or builtin:metaembed-minilm (the default)"
          + " or builtin:pooled-minilm";

  private IndexLayout() {}

  /** An existing index folder; a user error when there is none. */
  static Directory openExisting(Path dir) throws IOException {
    if (Files.isDirectory(dir) == false) {
      throw new UserException("no index at " + dir + " (no such folder)");
    }
    Directory directory = FSDirectory.open(dir);
    if (DirectoryReader.indexExists(directory) == false) {
      directory.close();
      throw new UserException(
          "no index at " + dir + " (no commit found; run metaembed index first)");
    }
    return directory;
  }

  static DirectoryReader openReader(Directory directory, Path dir) throws IOException {
    try {
      return DirectoryReader.open(directory);
    } catch (IndexNotFoundException e) {
      throw new UserException("no index at " + dir);
    }
  }

  /**
   * The model a {@code --model} value names, as the index records it: {@code builtin:<name>} or an
   * absolute folder; null means the default built-in model.
   */
  static String modelName(String option) {
    if (option == null) {
      return BUILTIN + BuiltinModel.DEFAULT.id();
    }
    if (option.startsWith(BUILTIN)) {
      return BUILTIN + builtin(option).id();
    }
    return Path.of(option).toAbsolutePath().toString();
  }

  /** The encoder recorded in the index, unless {@code override} (a --model value) names another. */
  static MetaEmbedEncoder encoder(DirectoryReader reader, String override, int threads)
      throws IOException {
    Map<String, String> userData = reader.getIndexCommit().getUserData();
    return load(override != null ? modelName(override) : recordedModel(userData), threads);
  }

  /** The model an index's commit records; indexes from before the trained default meant the pooled one. */
  static String recordedModel(Map<String, String> userData) {
    String recorded = userData.get(MODEL_KEY);
    return recorded == null || recorded.equals(LEGACY_DEFAULT)
        ? BUILTIN + BuiltinModel.POOLED_MINILM.id()
        : recorded;
  }

  /** The encoder for a recorded model name. */
  static MetaEmbedEncoder load(String model, int threads) throws IOException {
    EncoderOptions options = new EncoderOptions(threads, 32);
    if (model.startsWith(BUILTIN)) {
      return MetaEmbedEncoder.load(builtin(model), options);
    }
    Path dir = Path.of(model);
    if (Files.isDirectory(dir) == false) {
      throw new UserException("model folder not found: " + dir);
    }
    try {
      return MetaEmbedEncoder.load(dir, options);
    } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
      throw new UserException("model " + dir + ": " + e.getMessage(), e);
    }
  }

  private static BuiltinModel builtin(String name) {
    try {
      return BuiltinModel.named(name.substring(BUILTIN.length()));
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }
}
