package dev.metaembed.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Documents per second of an encoder on a BEIR corpus: batched (length-sorted batches) versus one
 * at a time, and the share of tokenization. Not a test; run with the test classpath:
 * {@code EncoderThroughput DATA_DIR [MODEL_DIR] [DOCS]}.
 */
public final class EncoderThroughput {
  /**
   * One single-threaded encoder per core, each encoding every other chunk of 64 documents (as
   * {@code metaembed index} hands them over), against the one multi-threaded encoder's output.
   */
  static void workers(Path modelDir, List<String> texts, List<float[][]> reference)
      throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    List<MetaEmbedEncoder> encoders = new ArrayList<>();
    for (int w = 0; w < cores; w++) {
      encoders.add(MetaEmbedEncoder.load(modelDir, new EncoderOptions(1, 32)));
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(cores);
    try {
      for (MetaEmbedEncoder encoder : encoders) {
        encoder.encodeDocuments(texts.subList(0, Math.min(64, texts.size()))); // warm-up
      }
      long t0 = System.nanoTime();
      List<java.util.concurrent.Future<List<float[][]>>> chunks = new ArrayList<>();
      for (int start = 0, c = 0; start < texts.size(); start += 64, c++) {
        List<String> chunk = texts.subList(start, Math.min(start + 64, texts.size()));
        MetaEmbedEncoder encoder = encoders.get(c % cores);
        chunks.add(
            pool.submit(
                () -> {
                  synchronized (encoder) {
                    return encoder.encodeDocuments(chunk);
                  }
                }));
      }
      List<float[][]> all = new ArrayList<>();
      for (var chunk : chunks) {
        all.addAll(chunk.get());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double minCosine = 1;
      for (int i = 0; i < texts.size(); i++) {
        for (int v = 0; v < all.get(i).length; v++) {
          minCosine = Math.min(minCosine, Vectors.cosine(all.get(i)[v], reference.get(i)[v]));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d single-threaded encoders: %.1f docs/s; min cosine vs one encoder %.6f%n",
          cores,
          texts.size() / seconds,
          minCosine);
    } finally {
      pool.shutdown();
      for (MetaEmbedEncoder encoder : encoders) {
        encoder.close();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    BeirData data = BeirData.read(Path.of(args[0]));
    Path modelDir =
        args.length > 1 && args[1].equals("default") == false
            ? Path.of(args[1])
            : BuiltinModel.DEFAULT.directory();
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : data.corpus().size();
    List<String> texts =
        new ArrayList<>(data.corpus().values()).subList(0, Math.min(limit, data.corpus().size()));
    EncoderConfig config = EncoderConfig.read(modelDir);
    try (TextTokenizer tokenizer = TextTokenizer.load(modelDir.resolve(config.tokenizer()))) {
      long t0 = System.nanoTime();
      long tokens = 0;
      for (String text : texts) {
        tokens += tokenizer.encode(text, config.maxLength()).length();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "tokenize only: %.0f docs/s (%.1f tokens/doc)%n",
          texts.size() / seconds,
          tokens / (double) texts.size());
    }
    try (MetaEmbedEncoder encoder = MetaEmbedEncoder.load(modelDir)) {
      encoder.encodeDocuments(texts.subList(0, Math.min(64, texts.size()))); // warm-up
      long t0 = System.nanoTime();
      List<float[][]> batched = encoder.encodeDocuments(texts);
      double batchedSeconds = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      double minCosine = 1;
      for (int i = 0; i < texts.size(); i++) {
        float[][] single = encoder.encodeDocument(texts.get(i));
        for (int v = 0; v < single.length; v++) {
          minCosine = Math.min(minCosine, Vectors.cosine(single[v], batched.get(i)[v]));
        }
      }
      double singleSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%s: %d docs; batched %.1f docs/s; one at a time %.1f docs/s; min cosine batched vs single %.6f%n",
          modelDir.getFileName(),
          texts.size(),
          texts.size() / batchedSeconds,
          texts.size() / singleSeconds,
          minCosine);
      workers(modelDir, texts, batched);
    }
  }
}
