package dev.metaembed.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (through DJL's offline binding), truncating so that
 * the tokens kept fit a length limit with the sequence's closing special tokens intact.
 */
final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  static TextTokenizer load(Path file) throws IOException {
    if (Files.isRegularFile(file) == false) {
      throw new java.nio.file.NoSuchFileException(
          file.toString(), null, "tokenizer file not found");
    }
    NativeLibraries.configureDjl();
    Map<String, String> options =
        Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
    // DJL finds its native library's properties through the thread's context class loader; hosts
    // with isolated class loaders (an OpenSearch plugin, an application server) give threads one
    // that cannot see this library's jars, and DJL then fails with an AssertionError
    Thread thread = Thread.currentThread();
    ClassLoader context = thread.getContextClassLoader();
    thread.setContextClassLoader(TextTokenizer.class.getClassLoader());
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, options));
    } catch (RuntimeException e) { // DJL reports a malformed file as a runtime exception
      throw new IllegalArgumentException(
          file + ": not a valid tokenizer.json: " + e.getMessage(), e);
    } catch (AssertionError | LinkageError e) { // its native library could not be loaded
      throw new IllegalStateException("the tokenizer's native library failed to load: " + e, e);
    } finally {
      thread.setContextClassLoader(context);
    }
  }

  /** Token ids, and which of them are special tokens ([CLS], [SEP], ...). */
  record Tokens(long[] ids, boolean[] special) {
    int length() {
      return ids.length;
    }
  }

  /**
   * The tokens of {@code text} with the tokenizer's special tokens, at most {@code limit} of them:
   * a longer sequence loses tokens before its trailing special tokens.
   */
  Tokens encode(String text, int limit) {
    Encoding encoding;
    synchronized (tokenizer) { // the native handle is shared; tokenizing is cheap next to the model
      encoding = tokenizer.encode(text, true, false);
    }
    long[] ids = encoding.getIds();
    long[] mask = encoding.getSpecialTokenMask();
    int[] kept = keptPositions(mask, limit);
    long[] keptIds = new long[kept.length];
    boolean[] special = new boolean[kept.length];
    for (int i = 0; i < kept.length; i++) {
      keptIds[i] = ids[kept[i]];
      special[i] = mask[kept[i]] == 1;
    }
    return new Tokens(keptIds, special);
  }

  /** All positions when they fit; else the first ones and the trailing special tokens. */
  private static int[] keptPositions(long[] special, int limit) {
    int n = special.length;
    if (n <= limit) {
      return java.util.stream.IntStream.range(0, n).toArray();
    }
    int tail = 0;
    while (tail < limit - 1 && special[n - 1 - tail] == 1) {
      tail++;
    }
    int[] kept = new int[limit];
    for (int i = 0; i < limit - tail; i++) {
      kept[i] = i;
    }
    for (int i = 0; i < tail; i++) {
      kept[limit - tail + i] = n - tail + i;
    }
    return kept;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
