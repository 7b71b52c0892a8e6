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
  public static void main(String[] args) throws Exception {
    BeirData data = BeirData.read(Path.of(args[0]));
    Path modelDir = args.length > 1 && args[1].equals("default") == false ? Path.of(args[1]) : BuiltinModel.DEFAULT.directory();
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : data.corpus().size();
    List<String> texts = new ArrayList<>(data.corpus().values()).subList(0, Math.min(limit, data.corpus().size()));
    EncoderConfig config = EncoderConfig.read(modelDir);
    try (TextTokenizer tokenizer = TextTokenizer.load(modelDir.resolve(config.tokenizer()))) {
      long t0 = System.nanoTime();
      long tokens = 0;
      for (String text : texts) {
        tokens += tokenizer.encode(text, config.maxLength()).length();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "tokenize only: %.0f docs/s (%.1f tokens/doc)%n", texts.size() / seconds, tokens / (double) texts.size());
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
      System.out.printf(Locale.ROOT, "%s: %d docs; batched %.1f docs/s; one at a time %.1f docs/s; min cosine batched vs single %.6f%n",
          modelDir.getFileName(), texts.size(), texts.size() / batchedSeconds, texts.size() / singleSeconds, minCosine);
    }
  }
}
