package dev.metaembed.encoder;

import dev.metaembed.encoder.EncoderConfig.Mode;
import dev.metaembed.encoder.EncoderConfig.Side;
import dev.metaembed.encoder.OnnxModel.HiddenStates;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * Turns text (and images, where the model takes them) into MetaEmbed multi-vectors: 1 to {@link
 * #queryVectors()} vectors per query, 1 to {@link #documentVectors()} per document, of {@link
 * #dimension()} components each, in Matryoshka order (coarse to fine).
 *
 * <p>A model folder holds {@code metaembed.json} (the encoding contract), the ONNX model and its
 * {@code tokenizer.json}, and, for a model trained from a published ONNX file, the weights file its
 * {@code weights} field names (applied when the model loads); see the module README. {@link
 * BuiltinModel} lists the models that ship with the encoder. In {@code meta-tokens} mode (a MetaEmbed export)
 * the vectors are the last hidden states at the appended meta tokens; in {@code pooled} mode (an
 * ordinary token-level encoder) they are the mean of the token states followed by finer summaries.
 *
 * <p>Thread-safe; one ONNX Runtime session per encoder, which runs the inferences of several
 * threads at once ({@code metaembed index} encodes whole documents on one thread each). {@link
 * #close} waits for encodings in progress. Text longer than the model's
 * {@code max_length} is truncated, never rejected; meta tokens are never cut.
 */
public final class MetaEmbedEncoder implements AutoCloseable {
  private final EncoderConfig config;
  private final EncoderOptions options;
  private final TextTokenizer tokenizer;
  private final OnnxModel model;
  private final ImagePreprocessor images;
  private final PooledVectors.Scheme scheme;
  private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private MetaEmbedEncoder(
      EncoderConfig config,
      EncoderOptions options,
      TextTokenizer tokenizer,
      OnnxModel model,
      PooledVectors.Scheme scheme) {
    this.config = config;
    this.options = options;
    this.tokenizer = tokenizer;
    this.model = model;
    this.images = config.image() == null ? null : new ImagePreprocessor(config.image());
    this.scheme = scheme;
  }

  /** The model in {@code modelDir}, with {@link EncoderOptions#defaults()}. */
  public static MetaEmbedEncoder load(Path modelDir) throws IOException {
    return load(modelDir, EncoderOptions.defaults());
  }

  /**
   * The model in {@code modelDir}: reads {@code metaembed.json}, then the files it names.
   *
   * @throws IOException when a file is missing or the model cannot be loaded
   * @throws IllegalArgumentException naming the file and field when the configuration is invalid
   *     or disagrees with the model
   */
  public static MetaEmbedEncoder load(Path modelDir, EncoderOptions options) throws IOException {
    return load(modelDir, options, PooledVectors.Scheme.DEFAULT);
  }

  static MetaEmbedEncoder load(Path modelDir, EncoderOptions options, PooledVectors.Scheme scheme)
      throws IOException {
    EncoderConfig config = EncoderConfig.read(modelDir);
    TextTokenizer tokenizer = TextTokenizer.load(modelDir.resolve(config.tokenizer()));
    try {
      OnnxModel model = new OnnxModel(modelDir, config, options.intraOpThreads());
      if (config.image() == null && model.hasImageInput()) {
        model.close();
        throw new IllegalArgumentException(
            modelDir.resolve(EncoderConfig.FILE_NAME)
                + ": field \"image\" is required with inputs.pixel_values");
      }
      return new MetaEmbedEncoder(config, options, tokenizer, model, scheme);
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /**
   * The default built-in model ({@link BuiltinModel#DEFAULT}: MetaEmbed meta tokens trained on
   * all-MiniLM-L6-v2), unpacked once to the cache.
   */
  public static MetaEmbedEncoder loadDefault() throws IOException {
    return loadDefault(EncoderOptions.defaults());
  }

  /** The default built-in model with these options. */
  public static MetaEmbedEncoder loadDefault(EncoderOptions options) throws IOException {
    return load(BuiltinModel.DEFAULT, options);
  }

  /** A built-in model with these options, unpacked once to the cache. */
  public static MetaEmbedEncoder load(BuiltinModel model, EncoderOptions options)
      throws IOException {
    return load(model.directory(), options);
  }

  /** The query's vectors (query prefix and query meta tokens). */
  public float[][] encodeQuery(String text) throws IOException {
    return encode(List.of(text), config.query(), null).get(0);
  }

  /** The document's vectors (document prefix and document meta tokens). */
  public float[][] encodeDocument(String text) throws IOException {
    return encode(List.of(text), config.document(), null).get(0);
  }

  /**
   * A document with an image, for models with an image input.
   *
   * @throws IllegalArgumentException when the model takes no images
   */
  public float[][] encodeDocument(String text, BufferedImage image) throws IOException {
    if (images == null) {
      throw new IllegalArgumentException(
          "this model takes no images: its "
              + EncoderConfig.FILE_NAME
              + " has no \"image\" section and no inputs.pixel_values");
    }
    if (image == null) {
      throw new IllegalArgumentException("image must not be null");
    }
    return encode(List.of(text), config.document(), images.pixels(image)).get(0);
  }

  /**
   * Documents in batches of similar length (results equal encoding them one by one), in input
   * order. Batches hold at most {@link EncoderOptions#batchSize()} texts, and at most the model's
   * {@code max_batch_size}.
   */
  public List<float[][]> encodeDocuments(List<String> texts) throws IOException {
    return encode(texts, config.document(), null);
  }

  /** Components per vector. */
  public int dimension() {
    return config.dimension();
  }

  /** Vectors per query at most. */
  public int queryVectors() {
    return config.query().vectors();
  }

  /** Vectors per document at most. */
  public int documentVectors() {
    return config.document().vectors();
  }

  /** The encoding contract this encoder was loaded with. */
  public EncoderConfig config() {
    return config;
  }

  private List<float[][]> encode(List<String> texts, Side side, float[] pixels) throws IOException {
    inUse.readLock().lock(); // close() waits for running encodings: native memory stays valid
    try {
      if (closed) {
        throw new IllegalStateException("this encoder is closed");
      }
      return encodeOpen(texts, side, pixels);
    } finally {
      inUse.readLock().unlock();
    }
  }

  private List<float[][]> encodeOpen(List<String> texts, Side side, float[] pixels)
      throws IOException {
    TextTokenizer.Tokens[] tokens = new TextTokenizer.Tokens[texts.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = tokenize(texts.get(i), side);
    }
    // dynamic padding: batch neighbours by length, so little compute goes to padding
    Integer[] order = IntStream.range(0, tokens.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> tokens[i].length()));
    List<float[][]> out =
        new ArrayList<>(java.util.Collections.nCopies(tokens.length, (float[][]) null));
    int batchSize =
        config.maxBatchSize() > 0
            ? Math.min(config.maxBatchSize(), options.batchSize())
            : options.batchSize();
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      long[][] batch = new long[end - start][];
      for (int i = start; i < end; i++) {
        batch[i - start] = tokens[order[i]].ids();
      }
      HiddenStates states = model.run(batch, pixels, images == null ? null : images.shape());
      for (int i = start; i < end; i++) {
        out.set(order[i], vectors(states, i - start, tokens[order[i]], side));
      }
    }
    return out;
  }

  private TextTokenizer.Tokens tokenize(String text, Side side) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty text: there is nothing to encode");
    }
    int metaTokens = config.mode() == Mode.META_TOKENS ? side.metaTokenIds().length : 0;
    TextTokenizer.Tokens tokens =
        tokenizer.encode(side.prefix() + text, config.maxLength() - metaTokens);
    if (metaTokens == 0) {
      return tokens;
    }
    long[] ids = Arrays.copyOf(tokens.ids(), tokens.length() + metaTokens);
    System.arraycopy(side.metaTokenIds(), 0, ids, tokens.length(), metaTokens);
    boolean[] special = Arrays.copyOf(tokens.special(), ids.length);
    Arrays.fill(special, tokens.length(), ids.length, true);
    return new TextTokenizer.Tokens(ids, special);
  }

  private float[][] vectors(HiddenStates states, int item, TextTokenizer.Tokens tokens, Side side) {
    float[][] vectors =
        config.mode() == Mode.META_TOKENS
            ? MetaTokens.gather(states, item, tokens.length(), side.vectors())
            : PooledVectors.pool(states, item, tokens, side.vectors(), scheme);
    if (config.normalize()) {
      for (float[] v : vectors) {
        Vectors.normalize(v);
      }
    }
    return vectors;
  }

  /**
   * Releases the model's native memory, after encodings running on other threads have finished;
   * later calls to encode throw {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    inUse.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        model.close();
      } finally {
        tokenizer.close();
      }
    } finally {
      inUse.writeLock().unlock();
    }
  }
}
