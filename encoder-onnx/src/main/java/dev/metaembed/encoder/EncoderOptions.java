package dev.metaembed.encoder;

/**
 * How an encoder runs.
 *
 * @param intraOpThreads ONNX Runtime threads for one inference (default: available processors)
 * @param batchSize texts per inference in {@link MetaEmbedEncoder#encodeDocuments} (default 32)
 */
public record EncoderOptions(int intraOpThreads, int batchSize) {
  public EncoderOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException(
          "intraOpThreads must be at least 1, got " + intraOpThreads);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
  }

  /** Threads = available processors, batches of 32. */
  public static EncoderOptions defaults() {
    return new EncoderOptions(Runtime.getRuntime().availableProcessors(), 32);
  }
}
