package dev.metaembed.cli;

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
  static final String DEFAULT_MODEL = "default";

  private IndexLayout() {}

  /** An existing index folder; a user error when there is none. */
  static Directory openExisting(Path dir) throws IOException {
    if (Files.isDirectory(dir) == false) {
      throw new UserException("no index at " + dir + " (no such folder)");
    }
    Directory directory = FSDirectory.open(dir);
    if (DirectoryReader.indexExists(directory) == false) {
      directory.close();
      throw new UserException("no index at " + dir + " (no commit found; run metaembed index first)");
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

  /** The encoder recorded in the index, unless {@code override} names another model folder. */
  static MetaEmbedEncoder encoder(DirectoryReader reader, Path override, int threads) throws IOException {
    Map<String, String> userData = reader.getIndexCommit().getUserData();
    String model = override != null ? override.toString() : userData.getOrDefault(MODEL_KEY, DEFAULT_MODEL);
    return load(model, threads);
  }

  static MetaEmbedEncoder load(String model, int threads) throws IOException {
    EncoderOptions options = new EncoderOptions(threads, 32);
    if (model.equals(DEFAULT_MODEL)) {
      return MetaEmbedEncoder.loadDefault(options);
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

  static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }
}
